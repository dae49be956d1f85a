export { apiClientAuthenticator, type LogonAttempt, type LogonAuthenticator, type LogonDecision } from './authentication.ts';
export * from './errors.ts';
export {
  type Fix44Body,
  Fix44Dictionary,
  type Fix44Messages,
  type Fix44MsgType,
  type IStandardHeader,
  isAdminMsgType,
  loadFix44Dictionary,
  type OrderQtyData,
} from './fix44.ts';
export {
  type ApplicationMessageHandler,
  type FixApplicationMessage,
  type FixGateway,
  type FixGatewayOptions,
  type FixLogger,
  type FixSessionRef,
  type FixSessionStatus,
  isFix44Message,
  startFixGateway,
  type TypedApplicationMessage,
} from './gateway.ts';
export { connectFixInitiator, type FixInitiator, type FixInitiatorOptions, type ReceivedMessage } from './initiator.ts';
export { checksum, encodeFrame, type Field, FrameReader, formatUtcTimestamp, parseUtcTimestamp, tokenise } from './session/frames.ts';
export {
  createFixSession,
  type FixAuthentication,
  type FixSession,
  type FixSessionChanges,
  getFixSession,
  type NewFixSession,
  removeFixSession,
  updateFixSession,
} from './sessions-table.ts';

export {
  type Actor,
  type ActorType,
  type AuditContext,
  type AuditEvent,
  type AuditEventInput,
  appendAuditEvent,
  appendAuditEvents,
  auditEventsInsert,
  onAuditEventsCommitted,
} from './audit/events.ts';
export { GENESIS_HASH, hashAuditEvent } from './audit/hash.ts';
export { listAuditEvents } from './audit/list.ts';
export {
  type AuditSealer,
  type AuditSealerOptions,
  hasUnsealedEvents,
  sealAll,
  sealAuditChain,
  sealCommitted,
  startAuditSealer,
} from './audit/seal.ts';
export { type AuditChainBreak, type AuditChainReport, verifyAuditChain } from './audit/verify.ts';

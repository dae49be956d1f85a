// jspurefix session descriptions for the echo (its JSON session files, as objects): the same
// CompIDs against both acceptors, so the initiator cannot tell which one it is talking to.
import type { ISessionDescription } from 'jspurefix';

export interface EchoCompIds {
  /** Ours in the gateway's sessions table; the bare acceptor's SenderCompID. */
  acceptor: string;
  initiator: string;
}

// jspurefix types SenderSubID/TargetSubID (and an acceptor's Username/Password) as required
// strings, yet writes the header fields whenever they are set: hence partial descriptions.
const COMMON = {
  BeginString: 'FIX.4.4',
  EncryptMethod: 0,
  // Fresh sequence numbers on every Logon: each measurement starts from a clean session.
  ResetSeqNumFlag: true,
  HeartBtInt: 30,
};

export function initiatorDescription(input: {
  compIds: EchoCompIds;
  port: number;
  username: string;
  password: string;
  storeDirectory: string;
}): ISessionDescription {
  return {
    ...COMMON,
    application: {
      type: 'initiator',
      name: 'bench-initiator',
      resilient: false,
      reconnectSeconds: 1,
      connectTimeoutSeconds: 10,
      tcp: { host: '127.0.0.1', port: input.port },
      protocol: 'ascii',
      // The QuickFIX FIX 4.4 dictionary, as the gateway uses.
      dictionary: 'qf44',
    },
    Name: 'bench-initiator',
    Username: input.username,
    Password: input.password,
    SenderCompId: input.compIds.initiator,
    TargetCompID: input.compIds.acceptor,
    store: { type: 'file', directory: input.storeDirectory },
  } as Partial<ISessionDescription> as ISessionDescription;
}

export function acceptorDescription(input: { compIds: EchoCompIds; port: number; storeDirectory: string }): ISessionDescription {
  return {
    ...COMMON,
    application: {
      type: 'acceptor',
      name: 'bench-acceptor',
      resilient: false,
      reconnectSeconds: 0,
      tcp: { host: '127.0.0.1', port: input.port },
      protocol: 'ascii',
      dictionary: 'qf44',
    },
    Name: 'bench-acceptor',
    SenderCompId: input.compIds.acceptor,
    TargetCompID: input.compIds.initiator,
    store: { type: 'file', directory: input.storeDirectory },
  } as Partial<ISessionDescription> as ISessionDescription;
}

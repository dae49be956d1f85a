// A small FIX 4.4 initiator for tests and benchmarks: it frames, sequences and times its
// messages and answers TestRequests, and leaves everything else to its caller.
import { connect, type Socket } from 'node:net';
import { type ConnectionOptions, connect as connectTls } from 'node:tls';
import { type Fix44Body, type Fix44Messages, type Fix44MsgType, loadFix44Dictionary } from './fix44.ts';
import { encodeFields, encodeFrame, type Field, FrameReader, formatUtcTimestamp, tokenise } from './session/frames.ts';
import { InboundMessage } from './session/message.ts';

export interface FixInitiatorOptions {
  host: string;
  port: number;
  /** The initiator's own CompID (the gateway's TargetCompID). */
  senderCompId: string;
  targetCompId: string;
  username?: string;
  password?: string;
  heartBtInt?: number;
  /** Sends ResetSeqNumFlag=Y on Logon. */
  resetSeqNum?: boolean;
  nextSenderSeq?: number;
  tls?: ConnectionOptions;
  /** Answer TestRequest with Heartbeat automatically (default true). */
  answerTestRequests?: boolean;
}

export type ReceivedMessage = InboundMessage;

export interface FixInitiator {
  nextSenderSeq: number;
  readonly socket: Socket;
  /** Sends Logon and resolves with the gateway's answer (Logon, or Logout when refused). */
  logon(extra?: [number, string][]): Promise<ReceivedMessage>;
  /** Sends a message with the next MsgSeqNum (or the one given); returns the MsgSeqNum used. */
  send(
    msgType: string,
    fields: readonly (readonly [number, string])[] | Buffer,
    header?: { seq?: number; possDup?: boolean; origSendingTime?: string },
  ): number;
  /** An application message typed from the FIX 4.4 dictionary, decimals as strings. */
  sendTyped<K extends Fix44MsgType>(msgType: K, body: Fix44Messages[K]): Promise<number>;
  sendRaw(bytes: Buffer | string): void;
  /** The next message received, in order. */
  next(timeoutMs?: number): Promise<ReceivedMessage>;
  /** Skips messages until one matches. */
  waitFor(predicate: (message: ReceivedMessage) => boolean, timeoutMs?: number): Promise<ReceivedMessage>;
  /** Logout handshake, then close. */
  logout(): Promise<void>;
  readonly closed: Promise<void>;
  close(): void;
}

export async function connectFixInitiator(options: FixInitiatorOptions): Promise<FixInitiator> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    const socket = options.tls
      ? connectTls({ host: options.host, port: options.port, ...options.tls }, () => resolve(socket))
      : connect({ host: options.host, port: options.port }, () => resolve(socket));
    socket.once('error', onError);
    // Over TLS the handshake can still fail after the TCP connect: wait for it.
    socket.once(options.tls ? 'secureConnect' : 'connect', () => socket.off('error', onError));
  });
  socket.setNoDelay(true);
  const reader = new FrameReader({ maxMessageBytes: 1024 * 1024 });
  const inbox: ReceivedMessage[] = [];
  const waiters: ((message: ReceivedMessage | null) => void)[] = [];
  let ended = false;
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('error', () => {});
  socket.on('close', () => {
    ended = true;
    for (const waiter of waiters.splice(0)) waiter(null);
  });
  socket.on('data', (chunk: Buffer) => {
    for (const event of reader.push(chunk)) {
      if (event.kind !== 'frame') continue;
      const tokens = tokenise(event.bytes);
      if (!tokens.ok) continue;
      const message = new InboundMessage(event.bytes, tokens.fields as Field[]);
      if (message.msgType === '1' && options.answerTestRequests !== false) initiator.send('0', [[112, message.get(112) ?? '']]);
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else inbox.push(message);
    }
  });

  const initiator: FixInitiator = {
    nextSenderSeq: options.nextSenderSeq ?? 1,
    socket,
    async logon(extra = []) {
      const fields: [number, string][] = [
        [98, '0'],
        [108, String(options.heartBtInt ?? 30)],
      ];
      if (options.resetSeqNum) fields.push([141, 'Y']);
      if (options.username !== undefined) fields.push([553, options.username]);
      if (options.password !== undefined) fields.push([554, options.password]);
      initiator.send('A', [...fields, ...extra]);
      return initiator.waitFor((message) => message.msgType === 'A' || message.msgType === '5');
    },
    send(msgType, fields, header = {}) {
      const seq = header.seq ?? initiator.nextSenderSeq++;
      const payload = Buffer.isBuffer(fields) ? fields : encodeFields(fields);
      const frame = encodeFrame(
        {
          beginString: 'FIX.4.4',
          msgType,
          seq,
          senderCompId: options.senderCompId,
          targetCompId: options.targetCompId,
          sendingTime: formatUtcTimestamp(Date.now()),
          possDup: header.possDup,
          origSendingTime: header.origSendingTime,
        },
        payload,
      );
      if (!socket.destroyed) socket.write(frame);
      return seq;
    },
    async sendTyped(msgType, body) {
      const dictionary = await loadFix44Dictionary();
      return initiator.send(msgType, dictionary.encodeBody(msgType, body as Fix44Body));
    },
    sendRaw(bytes) {
      if (!socket.destroyed) socket.write(bytes);
    },
    next(timeoutMs = 5000) {
      const ready = inbox.shift();
      if (ready) return Promise.resolve(ready);
      if (ended) return Promise.reject(new Error('connection closed'));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const index = waiters.indexOf(deliver);
          if (index >= 0) waiters.splice(index, 1);
          reject(new Error(`no FIX message within ${timeoutMs} ms`));
        }, timeoutMs);
        const deliver = (message: ReceivedMessage | null) => {
          clearTimeout(timer);
          if (message) resolve(message);
          else reject(new Error('connection closed'));
        };
        waiters.push(deliver);
      });
    },
    async waitFor(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const message = await initiator.next(Math.max(1, deadline - Date.now()));
        if (predicate(message)) return message;
      }
    },
    async logout() {
      initiator.send('5', []);
      await initiator.waitFor((message) => message.msgType === '5').catch(() => {});
      socket.end();
      await closed;
    },
    closed,
    close() {
      socket.destroy();
    },
  };
  return initiator;
}

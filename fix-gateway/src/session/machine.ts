// The FIX session state machine after Logon, kept free of sockets, timers and storage:
// inputs are inbound messages and clock ticks, outputs are actions the gateway carries out
// in order (send, reset the store, resend from the store, deliver, disconnect).
// QuickFIX's Session.cpp is the reference: the acceptance scripts were written against it.
import { encodeFields, formatUtcTimestamp, parseUtcTimestamp } from './frames.ts';
import type { InboundMessage } from './message.ts';

export interface SessionDictionary {
  isDefinedTag(tag: number): boolean;
  isDefinedMsgType(msgType: string): boolean;
  isTagInMessage(msgType: string, tag: number): boolean;
  requiredTags(msgType: string): number[];
  hasValidFormat(tag: number, value: string): boolean;
  /** Header fields (besides BeginString, BodyLength and MsgType, which framing places). */
  isHeaderTag(tag: number): boolean;
  /** Tags that may occur more than once in the message: those inside its repeating groups. */
  isRepeatableTag(msgType: string, tag: number): boolean;
}

export interface SessionIdentity {
  beginString: string;
  /** Ours. */
  senderCompId: string;
  /** The counterparty's. */
  targetCompId: string;
}

export interface SessionMachineOptions {
  identity: SessionIdentity;
  dictionary: SessionDictionary;
  sendingTimeToleranceMs: number;
  logoutTimeoutMs: number;
  maxQueuedMessages: number;
  /** Bytes of messages queued ahead of a gap. */
  maxQueuedBytes: number;
  isSupportedApplicationType(msgType: string): boolean;
}

export interface OutboundFrame {
  msgType: string;
  seq: number;
  sendingTime: string;
  payload: Buffer;
  possDup?: boolean;
  origSendingTime?: string;
  /** Stored for resend and advances the sender sequence; gap fills and resends do neither. */
  persist: boolean;
}

export type SessionAction =
  | { type: 'send'; frame: OutboundFrame }
  /** Both sequence numbers restart at 1 (a new store epoch) before anything that follows. */
  | { type: 'reset-sequences' }
  | { type: 'resend'; begin: number; end: number }
  | { type: 'deliver'; message: InboundMessage }
  | { type: 'disconnect'; reason: string }
  | { type: 'event'; text: string };

export interface StoredMessage {
  seq: number;
  msgType: string;
  sendingTime: string;
  payload: Buffer;
}

/** SessionRejectReason(373) values used here. */
export const RejectReason = {
  InvalidTagNumber: 0,
  RequiredTagMissing: 1,
  TagNotDefinedForMessageType: 2,
  TagSpecifiedWithoutValue: 4,
  ValueIsIncorrect: 5,
  IncorrectDataFormat: 6,
  CompIdProblem: 9,
  SendingTimeAccuracyProblem: 10,
  InvalidMsgType: 11,
  TagAppearsMoreThanOnce: 13,
  TagSpecifiedOutOfRequiredOrder: 14,
} as const;

const REJECT_TEXT: Record<number, string> = {
  0: 'Invalid tag number',
  1: 'Required tag missing',
  2: 'Tag not defined for this message type',
  4: 'Tag specified without a value',
  5: 'Value is incorrect (out of range) for this tag',
  6: 'Incorrect data format for value',
  9: 'CompID problem',
  10: 'SendingTime accuracy problem',
  11: 'Invalid MsgType',
  13: 'Tag appears more than once',
  14: 'Tag specified out of required order',
};

const ADMIN_TYPES = new Set(['0', '1', '2', '3', '4', '5', 'A']);
/** Sequence numbers are stored as PostgreSQL integers: beyond this one they are refused, not overflowed. */
export const MAX_SEQ_NUM = 2_147_483_647;
const HEADER_REQUIRED = [34, 49, 52, 56];

interface Problem {
  reason: number;
  tag: number;
}

export class SessionMachine {
  nextSenderSeq: number;
  nextTargetSeq: number;
  heartBtIntMs = 0;
  private readonly options: SessionMachineOptions;
  private lastSentAt: number;
  private lastReceivedAt: number;
  private testRequests = 0;
  private logoutSentAt: number | null = null;
  private resendRange: { begin: number; end: number } | null = null;
  private readonly queue = new Map<number, InboundMessage>();
  private queuedBytes = 0;
  private out: SessionAction[] = [];
  private now = 0;
  loggedOn = false;
  closed = false;

  constructor(options: SessionMachineOptions, sequences: { nextSenderSeq: number; nextTargetSeq: number }, now: number) {
    this.options = options;
    this.nextSenderSeq = sequences.nextSenderSeq;
    this.nextTargetSeq = sequences.nextTargetSeq;
    this.lastSentAt = now;
    this.lastReceivedAt = now;
  }

  /**
   * The counterparty's Logon, already matched to this session and authenticated.
   * `reset`: sequence numbers restart at 1 (ResetOnLogon, or ResetSeqNumFlag=Y).
   */
  logon(message: InboundMessage, now: number, reset: boolean): SessionAction[] {
    this.begin(now);
    if (reset) this.resetSequences();
    const seq = message.seq ?? 0;
    if (seq < this.nextTargetSeq) {
      this.sendLogout(`MsgSeqNum too low, expecting ${this.nextTargetSeq} but received ${seq}`);
      this.disconnect('MsgSeqNum too low on Logon');
      return this.end();
    }
    this.heartBtIntMs = Number(message.get(108) ?? '0') * 1000;
    this.loggedOn = true;
    this.sendLogonResponse(message.get(141) === 'Y');
    this.acceptSequence(message, true);
    return this.end();
  }

  receive(message: InboundMessage, now: number): SessionAction[] {
    this.begin(now);
    if (!this.closed) this.next(message, false);
    return this.end();
  }

  tick(now: number): SessionAction[] {
    this.begin(now);
    if (this.closed) return this.end();
    if (this.logoutSentAt !== null && now - this.logoutSentAt >= this.options.logoutTimeoutMs) {
      this.disconnect('timed out waiting for Logout response');
      return this.end();
    }
    const interval = this.heartBtIntMs;
    if (interval === 0 || !this.loggedOn) return this.end();
    const sinceSent = now - this.lastSentAt;
    const sinceReceived = now - this.lastReceivedAt;
    if (sinceSent < interval && sinceReceived < interval) return this.end();
    // Thresholds as in QuickFIX: a TestRequest after 1.2 intervals of silence, give up after 2.4.
    if (sinceReceived >= 2.4 * interval) {
      this.disconnect('timed out waiting for Heartbeat');
    } else if (sinceReceived >= 1.2 * (this.testRequests + 1) * interval) {
      this.sendAdmin('1', [[112, 'TEST']]);
      this.testRequests++;
    } else if (sinceSent >= interval && this.testRequests === 0) {
      this.sendAdmin('0', []);
    }
    return this.end();
  }

  /** An application message from our side. */
  sendApplication(msgType: string, payload: Buffer, now: number): SessionAction[] {
    this.begin(now);
    if (!this.loggedOn || this.closed) throw new Error('session is not logged on');
    this.send(msgType, payload);
    return this.end();
  }

  /** We end the session: Logout now, disconnect on the answer or after the logout timeout. */
  logout(text: string, now: number): SessionAction[] {
    this.begin(now);
    if (!this.closed && this.logoutSentAt === null) this.sendLogout(text);
    return this.end();
  }

  private begin(now: number): void {
    this.now = now;
    this.out = [];
  }

  private end(): SessionAction[] {
    const actions = this.out;
    this.out = [];
    return actions;
  }

  private next(message: InboundMessage, queued: boolean): void {
    this.lastReceivedAt = this.now;
    const msgType = message.msgType;
    if (message.beginString !== this.options.identity.beginString) {
      if (msgType === '5') this.onLogout(message);
      else {
        this.sendLogout('Incorrect BeginString');
        this.nextTargetSeq++;
      }
      return;
    }
    const problem = this.validate(message);
    if (problem) {
      this.reject(message, problem.reason, problem.tag);
      if (msgType === 'A') this.disconnect('invalid Logon');
      return;
    }
    switch (msgType) {
      case 'A':
        this.onLogon(message);
        break;
      case '0':
        if (this.verify(message, true, true)) this.nextTargetSeq++;
        break;
      case '1':
        if (this.verify(message, true, true)) {
          this.sendAdmin('0', [[112, message.get(112) ?? '']]);
          this.nextTargetSeq++;
        }
        break;
      case '2':
        this.onResendRequest(message);
        break;
      case '3':
        if (this.verify(message, true, true)) this.nextTargetSeq++;
        break;
      case '4':
        this.onSequenceReset(message);
        break;
      case '5':
        this.onLogout(message);
        break;
      default:
        this.onApplication(message);
    }
    if (!queued) this.processQueue();
  }

  private validate(message: InboundMessage): Problem | null {
    const { dictionary } = this.options;
    const msgType = message.msgType;
    if (!dictionary.isDefinedMsgType(msgType)) return { reason: RejectReason.InvalidMsgType, tag: 35 };
    const fields = message.fields;
    // InboundMessage and jspurefix disagree on which occurrence of a repeated tag counts
    // (first against last), so, as in QuickFIX, a repeated tag or a header field among the
    // body fields is rejected before either reads it.
    const seen = new Set<number>();
    let inBody = false;
    for (let i = 3; i < fields.length - 1; i++) {
      const { tag, value } = fields[i] as { tag: number; value: string };
      if (!dictionary.isDefinedTag(tag)) return { reason: RejectReason.InvalidTagNumber, tag };
      if (value === '') return { reason: RejectReason.TagSpecifiedWithoutValue, tag };
      if (!dictionary.isTagInMessage(msgType, tag)) return { reason: RejectReason.TagNotDefinedForMessageType, tag };
      if (!dictionary.hasValidFormat(tag, value)) return { reason: RejectReason.IncorrectDataFormat, tag };
      if (seen.has(tag) && !dictionary.isRepeatableTag(msgType, tag)) return { reason: RejectReason.TagAppearsMoreThanOnce, tag };
      seen.add(tag);
      if (dictionary.isHeaderTag(tag)) {
        if (inBody) return { reason: RejectReason.TagSpecifiedOutOfRequiredOrder, tag };
      } else {
        inBody = true;
      }
    }
    if ((message.seq ?? 0) > MAX_SEQ_NUM) return { reason: RejectReason.ValueIsIncorrect, tag: 34 };
    if (msgType === '4' && Number(message.get(36)) > MAX_SEQ_NUM) return { reason: RejectReason.ValueIsIncorrect, tag: 36 };
    const required = ADMIN_TYPES.has(msgType) ? [...HEADER_REQUIRED, ...dictionary.requiredTags(msgType)] : HEADER_REQUIRED;
    for (const tag of required) if (!message.has(tag)) return { reason: RejectReason.RequiredTagMissing, tag };
    return null;
  }

  /** SendingTime, CompIDs, then MsgSeqNum; false when the message must not be processed further. */
  private verify(message: InboundMessage, checkTooHigh: boolean, checkTooLow: boolean): boolean {
    const sendingTime = parseUtcTimestamp(message.get(52) ?? '');
    if (sendingTime === null || Math.abs(this.now - sendingTime) > this.options.sendingTimeToleranceMs) {
      this.reject(message, RejectReason.SendingTimeAccuracyProblem, 52);
      this.sendLogout();
      return false;
    }
    const { identity } = this.options;
    if (message.get(49) !== identity.targetCompId || message.get(56) !== identity.senderCompId) {
      this.reject(message, RejectReason.CompIdProblem, message.get(49) !== identity.targetCompId ? 49 : 56);
      this.sendLogout();
      return false;
    }
    this.testRequests = 0;
    const seq = message.seq ?? 0;
    if (checkTooHigh && seq > this.nextTargetSeq) {
      this.targetTooHigh(message, seq);
      return false;
    }
    if (checkTooLow && seq < this.nextTargetSeq) {
      this.targetTooLow(message, seq);
      return false;
    }
    if ((checkTooHigh || checkTooLow) && this.resendRange && seq >= this.resendRange.end) this.resendRange = null;
    return true;
  }

  private targetTooHigh(message: InboundMessage, seq: number): void {
    this.event(`MsgSeqNum too high, expecting ${this.nextTargetSeq} but received ${seq}`);
    const replaced = this.queue.get(seq)?.bytes.length ?? 0;
    if (
      this.queue.size >= this.options.maxQueuedMessages ||
      this.queuedBytes - replaced + message.bytes.length > this.options.maxQueuedBytes
    ) {
      this.sendLogout('Too many messages ahead of the expected MsgSeqNum');
      this.disconnect('resend queue overflow');
      return;
    }
    this.queue.set(seq, message);
    this.queuedBytes += message.bytes.length - replaced;
    if (this.resendRange && seq >= this.resendRange.begin) return;
    this.sendAdmin('2', [
      [7, String(this.nextTargetSeq)],
      [16, '0'],
    ]);
    this.resendRange = { begin: this.nextTargetSeq, end: seq - 1 };
  }

  private targetTooLow(message: InboundMessage, seq: number): void {
    if (!message.possDup) {
      const text = `MsgSeqNum too low, expecting ${this.nextTargetSeq} but received ${seq}`;
      this.sendLogout(text);
      this.disconnect(text);
      return;
    }
    // A possible duplicate we have already processed: check it is honest, then ignore it.
    if (message.msgType === '4') return;
    const orig = message.get(122);
    if (orig === undefined) {
      this.reject(message, RejectReason.RequiredTagMissing, 122);
      return;
    }
    const origTime = parseUtcTimestamp(orig);
    const sendingTime = parseUtcTimestamp(message.get(52) ?? '');
    if (origTime === null || sendingTime === null || origTime > sendingTime) {
      this.reject(message, RejectReason.SendingTimeAccuracyProblem, 122);
      this.sendLogout();
    }
  }

  private acceptSequence(message: InboundMessage, isLogon: boolean): void {
    const seq = message.seq ?? 0;
    if (seq > this.nextTargetSeq) {
      if (isLogon) this.targetTooHigh(message, seq);
      return;
    }
    this.nextTargetSeq++;
    this.processQueue();
  }

  private processQueue(): void {
    while (!this.closed) {
      const message = this.queue.get(this.nextTargetSeq);
      if (!message) {
        // Anything queued below the expected number was filled over; drop it.
        for (const seq of this.queue.keys()) if (seq < this.nextTargetSeq) this.unqueue(seq);
        return;
      }
      this.unqueue(this.nextTargetSeq);
      this.event(`processing queued message ${this.nextTargetSeq}`);
      if (message.msgType === 'A' || message.msgType === '2') this.nextTargetSeq++;
      else this.next(message, true);
    }
  }

  private unqueue(seq: number): void {
    this.queuedBytes -= this.queue.get(seq)?.bytes.length ?? 0;
    this.queue.delete(seq);
  }

  private onLogon(message: InboundMessage): void {
    if (message.get(141) !== 'Y') {
      this.disconnect('Logon received on a logged-on session without ResetSeqNumFlag');
      return;
    }
    // In-session sequence reset (141=Y): both sides restart at 1.
    if (!this.verify(message, false, false)) return;
    this.resetSequences();
    this.heartBtIntMs = Number(message.get(108) ?? '0') * 1000;
    this.sendLogonResponse(true);
    this.acceptSequence(message, true);
  }

  private onSequenceReset(message: InboundMessage): void {
    const gapFill = message.get(123) === 'Y';
    if (!this.verify(message, gapFill, gapFill)) return;
    const newSeqNo = Number(message.get(36));
    this.event(`SequenceReset from ${this.nextTargetSeq} to ${newSeqNo}`);
    if (newSeqNo > this.nextTargetSeq) this.nextTargetSeq = newSeqNo;
    else if (newSeqNo < this.nextTargetSeq) this.reject(message, RejectReason.ValueIsIncorrect, 36);
  }

  private onResendRequest(message: InboundMessage): void {
    if (!this.verify(message, false, false)) return;
    const begin = Number(message.get(7));
    let end = Number(message.get(16));
    if (end === 0 || end >= this.nextSenderSeq) end = this.nextSenderSeq - 1;
    this.event(`ResendRequest ${begin} to ${end}`);
    if (begin >= 1 && begin <= end) this.out.push({ type: 'resend', begin, end });
    if (message.seq === this.nextTargetSeq) this.nextTargetSeq++;
  }

  private onLogout(message: InboundMessage): void {
    if (!this.verify(message, false, false)) return;
    if (this.logoutSentAt === null) this.sendLogout();
    this.nextTargetSeq++;
    this.disconnect('Logout');
  }

  private onApplication(message: InboundMessage): void {
    if (!this.verify(message, true, true)) return;
    const msgType = message.msgType;
    if (!this.options.isSupportedApplicationType(msgType)) {
      this.businessReject(message, 3, 'Unsupported Message Type');
      return;
    }
    for (const tag of this.options.dictionary.requiredTags(msgType)) {
      if (!message.has(tag)) {
        this.reject(message, RejectReason.RequiredTagMissing, tag);
        return;
      }
    }
    this.out.push({ type: 'deliver', message });
    this.nextTargetSeq++;
  }

  private reject(message: InboundMessage, reason: number, tag: number): void {
    const fields: [number, string][] = [];
    const seq = message.seq;
    if (seq !== null) fields.push([45, String(seq)]);
    fields.push([58, REJECT_TEXT[reason] ?? 'Rejected']);
    fields.push([371, String(tag)]);
    if (message.msgType !== '') fields.push([372, message.msgType]);
    fields.push([373, String(reason)]);
    if (message.msgType !== 'A' && message.msgType !== '4' && seq === this.nextTargetSeq) this.nextTargetSeq++;
    this.event(`rejected message ${seq ?? '?'}: ${REJECT_TEXT[reason]} (${tag})`);
    this.sendAdmin('3', fields);
  }

  private businessReject(message: InboundMessage, reason: number, text: string): void {
    const seq = message.seq;
    const fields: [number, string][] = [];
    if (seq !== null) fields.push([45, String(seq)]);
    fields.push([58, text], [372, message.msgType], [380, String(reason)]);
    if (seq === this.nextTargetSeq) this.nextTargetSeq++;
    this.send('j', encodeFields(fields));
  }

  private resetSequences(): void {
    this.nextSenderSeq = 1;
    this.nextTargetSeq = 1;
    this.queue.clear();
    this.queuedBytes = 0;
    this.resendRange = null;
    this.out.push({ type: 'reset-sequences' });
  }

  private sendLogonResponse(resetSeqNumFlag: boolean): void {
    const fields: [number, string][] = [
      [98, '0'],
      [108, String(this.heartBtIntMs / 1000)],
    ];
    if (resetSeqNumFlag) fields.push([141, 'Y']);
    this.sendAdmin('A', fields);
  }

  private sendLogout(text?: string): void {
    this.sendAdmin('5', text ? [[58, text]] : []);
    this.logoutSentAt = this.now;
  }

  private sendAdmin(msgType: string, fields: [number, string][]): void {
    this.send(msgType, encodeFields(fields));
  }

  private send(msgType: string, payload: Buffer): void {
    if (this.closed) return;
    const frame: OutboundFrame = { msgType, seq: this.nextSenderSeq++, sendingTime: formatUtcTimestamp(this.now), payload, persist: true };
    this.lastSentAt = this.now;
    this.out.push({ type: 'send', frame });
  }

  private disconnect(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.loggedOn = false;
    this.out.push({ type: 'disconnect', reason });
  }

  private event(text: string): void {
    this.out.push({ type: 'event', text });
  }
}

/**
 * The answer to a ResendRequest for [begin, end] from what the store holds: application
 * messages again with PossDupFlag=Y and their OrigSendingTime, and each run of admin (or
 * missing) messages replaced by one SequenceReset-GapFill.
 */
export function buildResend(stored: readonly StoredMessage[], begin: number, end: number, now: number): OutboundFrame[] {
  const sendingTime = formatUtcTimestamp(now);
  const frames: OutboundFrame[] = [];
  const gapFill = (from: number, to: number): OutboundFrame => ({
    msgType: '4',
    seq: from,
    sendingTime,
    possDup: true,
    origSendingTime: sendingTime,
    payload: encodeFields([
      [36, String(to)],
      [123, 'Y'],
    ]),
    persist: false,
  });
  let gapStart: number | null = null;
  let expected = begin;
  for (const message of stored) {
    if (message.seq < begin || message.seq > end) continue;
    if (message.seq !== expected && gapStart === null) gapStart = expected;
    if (ADMIN_TYPES.has(message.msgType)) {
      gapStart ??= message.seq;
    } else {
      if (gapStart !== null) frames.push(gapFill(gapStart, message.seq));
      gapStart = null;
      frames.push({
        msgType: message.msgType,
        seq: message.seq,
        sendingTime,
        possDup: true,
        origSendingTime: message.sendingTime,
        payload: message.payload,
        persist: false,
      });
    }
    expected = message.seq + 1;
  }
  if (gapStart !== null || expected <= end) frames.push(gapFill(gapStart ?? expected, end + 1));
  return frames;
}

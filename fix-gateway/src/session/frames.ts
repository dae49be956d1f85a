// Framing and tokenising of FIX tag=value messages, byte for byte.
//
// Why not jspurefix's AsciiParser here: it frames on the CheckSum tag rather than on
// BodyLength, throws (losing its place in the stream) when the first three fields are out
// of order, and cannot tell a garbled message from a valid one, which the session layer
// must ignore while the session stays up. So frames are found and validated here
// (BodyLength, CheckSum, field order, tag syntax, size caps), and only well-formed frames
// are handed to jspurefix for typed decoding (see fix44.ts).

export const SOH = 0x01;
const EQUALS = 0x3d;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** FIX 4.4 length-prefixed data fields: the length tag, then the tag whose value may hold SOH. */
const DATA_FIELD_AFTER_LENGTH: ReadonlyMap<number, number> = new Map([
  [90, 91], // SecureDataLen → SecureData
  [93, 89], // SignatureLength → Signature
  [95, 96], // RawDataLength → RawData
  [212, 213], // XmlDataLen → XmlData
  [348, 349],
  [350, 351],
  [352, 353],
  [354, 355], // EncodedTextLen → EncodedText
  [356, 357],
  [358, 359],
  [360, 361],
  [362, 363],
  [364, 365],
  [445, 446],
  [618, 619],
  [621, 622],
]);

export type FrameEvent =
  | { kind: 'frame'; bytes: Buffer }
  | { kind: 'garbled'; reason: string; bytes: Buffer }
  /** Declared or buffered size beyond the cap: the stream cannot be trusted any more. */
  | { kind: 'overflow'; reason: string };

/**
 * Splits a byte stream into frames. Bytes before a BeginString are dropped; a frame whose
 * BodyLength or CheckSum is wrong is reported as garbled (delimited by the next
 * `<SOH>10=nnn<SOH>`) so that the stream resynchronises on the following message.
 */
export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private readonly maxMessageBytes: number;

  constructor(options: { maxMessageBytes?: number } = {}) {
    this.maxMessageBytes = options.maxMessageBytes ?? 64 * 1024;
  }

  get bufferedBytes(): number {
    return this.buffer.length;
  }

  push(chunk: Buffer): FrameEvent[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const events: FrameEvent[] = [];
    let position = 0;
    for (;;) {
      const step = this.next(position);
      if (step.event) events.push(step.event);
      if (step.event?.kind === 'overflow') {
        this.buffer = Buffer.alloc(0);
        return events;
      }
      if (step.consumed === position) break;
      position = step.consumed;
    }
    this.buffer = position === 0 ? this.buffer : this.buffer.subarray(position);
    // Copy once the remainder is small, so a retained tail never pins a large chunk.
    if (position > 0 && this.buffer.length > 0 && this.buffer.length < 4096) this.buffer = Buffer.from(this.buffer);
    if (this.buffer.length > this.maxMessageBytes + 64) {
      this.buffer = Buffer.alloc(0);
      events.push({ kind: 'overflow', reason: `more than ${this.maxMessageBytes} bytes without a complete message` });
    }
    return events;
  }

  /** Returns how far the buffer is consumed after at most one event. */
  private next(from: number): { consumed: number; event?: FrameEvent } {
    const buffer = this.buffer;
    const start = findBeginString(buffer, from);
    if (start < 0) {
      // Keep a trailing SOH or "8" that may begin the next message.
      const keep = buffer.length > from && (buffer[buffer.length - 1] === SOH || buffer[buffer.length - 1] === 0x38) ? 1 : 0;
      return { consumed: Math.max(from, buffer.length - keep) };
    }
    const beginEnd = buffer.indexOf(SOH, start + 2);
    if (beginEnd < 0) {
      if (buffer.length - start > 32)
        return { consumed: start + 2, event: this.garbled(buffer, start, start + 2, 'BeginString is not terminated') };
      return { consumed: start };
    }
    if (buffer.length < beginEnd + 3) return { consumed: start };
    if (buffer[beginEnd + 1] !== 0x39 || buffer[beginEnd + 2] !== EQUALS) {
      return { consumed: beginEnd + 1, event: this.garbled(buffer, start, beginEnd + 1, 'BodyLength(9) must be the second field') };
    }
    const lengthEnd = buffer.indexOf(SOH, beginEnd + 3);
    if (lengthEnd < 0) {
      if (buffer.length - beginEnd > 16)
        return { consumed: beginEnd + 1, event: this.garbled(buffer, start, beginEnd + 1, 'BodyLength is not terminated') };
      return { consumed: start };
    }
    const bodyLength = readWholeNumber(buffer, beginEnd + 3, lengthEnd);
    if (bodyLength === null) {
      return { consumed: lengthEnd + 1, event: this.garbled(buffer, start, lengthEnd + 1, 'BodyLength is not a number') };
    }
    if (bodyLength > this.maxMessageBytes) {
      return { consumed: buffer.length, event: { kind: 'overflow', reason: `BodyLength ${bodyLength} exceeds ${this.maxMessageBytes}` } };
    }
    const bodyStart = lengthEnd + 1;
    const trailerStart = bodyStart + bodyLength;
    const frameEnd = trailerStart + 7;
    if (buffer.length >= frameEnd && isTrailerAt(buffer, trailerStart) && buffer[trailerStart - 1] === SOH) {
      const bytes = buffer.subarray(start, frameEnd);
      const declared =
        (buffer[trailerStart + 3] - DIGIT_0) * 100 + (buffer[trailerStart + 4] - DIGIT_0) * 10 + (buffer[trailerStart + 5] - DIGIT_0);
      if (checksum(buffer, start, trailerStart) !== declared) {
        return { consumed: frameEnd, event: { kind: 'garbled', reason: 'CheckSum is wrong', bytes: Buffer.from(bytes) } };
      }
      return { consumed: frameEnd, event: { kind: 'frame', bytes: Buffer.from(bytes) } };
    }
    // BodyLength does not point at a trailer (or not yet): delimit the message by its own trailer.
    const trailer = findTrailer(buffer, Math.max(bodyStart - 1, start));
    if (trailer >= 0) {
      return { consumed: trailer + 8, event: this.garbled(buffer, start, trailer + 8, 'BodyLength is wrong') };
    }
    return { consumed: start };
  }

  private garbled(buffer: Buffer, start: number, end: number, reason: string): FrameEvent {
    return { kind: 'garbled', reason, bytes: Buffer.from(buffer.subarray(start, end)) };
  }
}

/** "8=" at `from` or just after an SOH. */
function findBeginString(buffer: Buffer, from: number): number {
  let at = from;
  while (at < buffer.length - 1) {
    if (buffer[at] === 0x38 && buffer[at + 1] === EQUALS && (at === from || buffer[at - 1] === SOH)) return at;
    const next = buffer.indexOf(SOH, at);
    if (next < 0) return -1;
    at = next + 1;
  }
  return -1;
}

/** "10=nnn<SOH>" at position. */
function isTrailerAt(buffer: Buffer, at: number): boolean {
  return (
    buffer[at] === 0x31 &&
    buffer[at + 1] === DIGIT_0 &&
    buffer[at + 2] === EQUALS &&
    isDigit(buffer[at + 3]) &&
    isDigit(buffer[at + 4]) &&
    isDigit(buffer[at + 5]) &&
    buffer[at + 6] === SOH
  );
}

/** Position of the SOH that precedes the first "10=nnn<SOH>" at or after `from`. */
function findTrailer(buffer: Buffer, from: number): number {
  let at = buffer.indexOf(SOH, from);
  while (at >= 0 && at + 8 <= buffer.length) {
    if (isTrailerAt(buffer, at + 1)) return at;
    at = buffer.indexOf(SOH, at + 1);
  }
  return -1;
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= DIGIT_0 && byte <= DIGIT_9;
}

function readWholeNumber(buffer: Buffer, start: number, end: number): number | null {
  if (end <= start || end - start > 9) return null;
  let value = 0;
  for (let i = start; i < end; i++) {
    const byte = buffer[i] as number;
    if (byte < DIGIT_0 || byte > DIGIT_9) return null;
    value = value * 10 + (byte - DIGIT_0);
  }
  return value;
}

export function checksum(buffer: Buffer, start = 0, end = buffer.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += buffer[i] as number;
  return sum % 256;
}

export interface Field {
  /** The tag as written; may be out of FIX's range (0, -1), which validation reports. */
  tag: number;
  value: string;
}

export type Tokenised = { ok: true; fields: Field[] } | { ok: false; reason: string };

/**
 * Splits a framed message into fields. Values are latin1 strings so every byte survives.
 * A data field (RawData, XmlData, …) is read by the length its length field gave.
 */
export function tokenise(bytes: Buffer): Tokenised {
  const fields: Field[] = [];
  let at = 0;
  let dataLength = -1;
  let dataTag = 0;
  while (at < bytes.length) {
    const equals = bytes.indexOf(EQUALS, at);
    if (equals < 0) return { ok: false, reason: 'field without "="' };
    const tagText = bytes.toString('latin1', at, equals);
    // No leading zeros: "0554" would be Password(554) to a reader that parses numbers, not to one that compares text.
    if (!/^(?:0|-?[1-9]\d{0,8})$/.test(tagText)) return { ok: false, reason: `malformed tag ${JSON.stringify(tagText.slice(0, 16))}` };
    const tag = Number(tagText);
    let end: number;
    if (tag === dataTag && dataLength >= 0) {
      end = equals + 1 + dataLength;
      if (bytes[end] !== SOH) return { ok: false, reason: `data field ${tag} does not match its length` };
    } else {
      end = bytes.indexOf(SOH, equals + 1);
      if (end < 0) return { ok: false, reason: 'field without SOH' };
    }
    const value = bytes.toString('latin1', equals + 1, end);
    fields.push({ tag, value });
    const nextData = DATA_FIELD_AFTER_LENGTH.get(tag);
    if (nextData !== undefined && /^\d{1,9}$/.test(value)) {
      dataTag = nextData;
      dataLength = Number(value);
    } else {
      dataTag = 0;
      dataLength = -1;
    }
    at = end + 1;
  }
  if (fields.length < 4) return { ok: false, reason: 'too few fields' };
  if (fields[0]?.tag !== 8 || fields[1]?.tag !== 9 || fields[2]?.tag !== 35) {
    return { ok: false, reason: 'BeginString, BodyLength and MsgType must be the first three fields' };
  }
  if (fields[fields.length - 1]?.tag !== 10) return { ok: false, reason: 'CheckSum must be the last field' };
  return { ok: true, fields };
}

const UTC_TIMESTAMP = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** FIX UTCTimestamp to epoch milliseconds, or null when malformed. */
export function parseUtcTimestamp(text: string): number | null {
  const match = UTC_TIMESTAMP.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction] = match;
  const ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number((fraction ?? '').padEnd(3, '0').slice(0, 3)),
  );
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  return ms;
}

/** Epoch milliseconds as a FIX UTCTimestamp with milliseconds: YYYYMMDD-HH:MM:SS.sss. */
export function formatUtcTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-25T14:03:07.123Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 23)}`;
}

export interface OutboundHeader {
  beginString: string;
  msgType: string;
  seq: number;
  senderCompId: string;
  targetCompId: string;
  sendingTime: string;
  possDup?: boolean;
  origSendingTime?: string;
}

/**
 * A complete message: the standard header we own, then `payload` (any further header
 * fields and the body, already `tag=value<SOH>` encoded), then BodyLength and CheckSum.
 */
export function encodeFrame(header: OutboundHeader, payload: Buffer): Buffer {
  let head = `35=${header.msgType}\x0134=${header.seq}\x01`;
  if (header.possDup) head += '43=Y\x01';
  head += `49=${header.senderCompId}\x0152=${header.sendingTime}\x0156=${header.targetCompId}\x01`;
  if (header.origSendingTime !== undefined) head += `122=${header.origSendingTime}\x01`;
  const headBytes = Buffer.from(head, 'latin1');
  const prefix = Buffer.from(`8=${header.beginString}\x019=${headBytes.length + payload.length}\x01`, 'latin1');
  const frame = Buffer.allocUnsafe(prefix.length + headBytes.length + payload.length + 7);
  prefix.copy(frame, 0);
  headBytes.copy(frame, prefix.length);
  payload.copy(frame, prefix.length + headBytes.length);
  const trailerAt = frame.length - 7;
  const sum = checksum(frame, 0, trailerAt);
  frame.write(`10=${String(sum).padStart(3, '0')}\x01`, trailerAt, 'latin1');
  return frame;
}

/** Fields as `tag=value<SOH>` bytes, in the order given. */
export function encodeFields(fields: readonly (readonly [number, string])[]): Buffer {
  let text = '';
  for (const [tag, value] of fields) text += `${tag}=${value}\x01`;
  return Buffer.from(text, 'latin1');
}

/** Password, NewPassword, and the data fields (RawData, SecureData, Signature, …) whatever they hold. */
const SECRET_TAGS: ReadonlySet<number> = new Set([554, 925, ...DATA_FIELD_AFTER_LENGTH.values()]);

/**
 * A message for logs: SOH shown as '|', and secrets masked. Fields are found as tokenise finds
 * them (a data field by its length, so an SOH inside RawData does not end it) and tags compared
 * as numbers; from a field that cannot be delimited on, the rest is masked.
 */
export function redactForLog(bytes: Buffer): string {
  const parts: string[] = [];
  let at = 0;
  let dataTag = 0;
  let dataLength = -1;
  while (at < bytes.length) {
    const equals = bytes.indexOf(EQUALS, at);
    const soh = bytes.indexOf(SOH, at);
    if (equals < 0 || (soh >= 0 && soh < equals)) {
      // Text without a tag: shown only up to the next SOH, and only when no data field is open.
      if (dataLength >= 0) return [...parts, '***'].join('|');
      parts.push(bytes.toString('latin1', at, soh < 0 ? bytes.length : soh));
      if (soh < 0) break;
      at = soh + 1;
      continue;
    }
    const tagText = bytes.toString('latin1', at, equals);
    const tag = /^-?\d{1,9}$/.test(tagText) ? Number(tagText) : Number.NaN;
    let end: number;
    if (tag === dataTag && dataLength >= 0) {
      end = equals + 1 + dataLength;
      if (end > bytes.length || (end < bytes.length && bytes[end] !== SOH)) return [...parts, `${tagText}=***`].join('|');
    } else {
      end = soh < 0 ? bytes.length : soh;
    }
    const value = bytes.toString('latin1', equals + 1, end);
    parts.push(SECRET_TAGS.has(tag) ? `${tagText}=***` : `${tagText}=${value}`);
    const nextData = DATA_FIELD_AFTER_LENGTH.get(tag);
    if (nextData !== undefined && /^\d{1,9}$/.test(value)) {
      dataTag = nextData;
      dataLength = Number(value);
    } else {
      dataTag = 0;
      dataLength = -1;
    }
    at = end + 1;
  }
  return parts.join('|') + (bytes[bytes.length - 1] === SOH ? '|' : '');
}

// Raw FIX framing for the acceptance runner. Everything works on latin1 strings (one char per byte) so that
// BodyLength and CheckSum are computed over exactly the bytes on the wire, and deliberately wrong frames
// from the scripts go out untouched.

export const SOH = '\x01';

/** One `tag=value` field, in wire order. */
export type FixField = readonly [tag: number, value: string];

/** A frame cut from the acceptor's byte stream; `framingErrors` is empty only when the frame is well formed. */
export interface ReceivedFrame {
  raw: string;
  fields: FixField[];
  framingErrors: string[];
}

/** CheckSum (tag 10): sum of all bytes before `10=`, modulo 256, as three digits. */
export function fixChecksum(bytes: string): string {
  let sum = 0;
  for (let index = 0; index < bytes.length; index++) sum += bytes.charCodeAt(index);
  return String(sum % 256).padStart(3, '0');
}

/** Shows a frame on one line: SOH as `|`, other control bytes escaped so nothing is hidden. */
export function printableFix(bytes: string): string {
  let text = '';
  for (const char of bytes) {
    const code = char.charCodeAt(0);
    if (char === SOH) text += '|';
    else if (code < 0x20 || code === 0x7f || code > 0x7e) text += `\\x${code.toString(16).padStart(2, '0')}`;
    else text += char;
  }
  return text;
}

/**
 * Adds BodyLength and CheckSum the way QuickFIX's test Reflector (`fixify!`) does: only when the message starts
 * with `8=`; 9= goes right after BeginString unless the message already has a 9= field anywhere; 10= is
 * appended unless the message already ends with a 10= field. Given values are kept verbatim, since scripts
 * send wrong ones on purpose, and a message not starting with `8=` goes out exactly as written.
 */
export function prepareOutgoingMessage(message: string): string {
  const beginStringEnd = message.indexOf(SOH);
  if (!message.startsWith('8=') || beginStringEnd === -1) return message;
  const beginString = message.slice(0, beginStringEnd + 1);
  const afterBeginString = message.slice(beginStringEnd + 1);

  const trailerStart = findGivenChecksum(afterBeginString);
  const body = trailerStart === undefined ? afterBeginString : afterBeginString.slice(0, trailerStart);
  const givenChecksum = trailerStart === undefined ? undefined : afterBeginString.slice(trailerStart);

  const hasBodyLength = message.includes(`${SOH}9=`);
  const bodyLength = hasBodyLength ? '' : `9=${body.length}${SOH}`;
  const checksum = givenChecksum ?? `10=${fixChecksum(beginString + bodyLength + body)}${SOH}`;
  return beginString + bodyLength + body + checksum;
}

function findGivenChecksum(fields: string): number | undefined {
  if (!fields.endsWith(SOH)) return undefined;
  const lastFieldStart = fields.lastIndexOf(SOH, fields.length - 2) + 1;
  return fields.startsWith('10=', lastFieldStart) ? lastFieldStart : undefined;
}

/**
 * Splits `tag=value|tag=value|` into ordered fields. Throws on an empty field, a missing `=`, a tag that is not
 * a positive integer, or an empty value; the caller decides whether that is a script error or a framing error.
 */
export function parseFixFields(message: string): FixField[] {
  const parts = message.split(SOH);
  if (parts.at(-1) === '') parts.pop();
  return parts.map((part, index) => {
    const equals = part.indexOf('=');
    if (equals === -1) throw new Error(`field ${index + 1} '${printableFix(part)}' has no '='`);
    const tag = part.slice(0, equals);
    if (!/^[1-9][0-9]*$/.test(tag)) throw new Error(`field ${index + 1} '${printableFix(part)}' has a tag that is not a positive integer`);
    const value = part.slice(equals + 1);
    if (value === '') throw new Error(`field ${index + 1} '${printableFix(part)}' has no value`);
    return [Number(tag), value] as const;
  });
}

/**
 * Cuts an incoming byte stream into frames. A frame whose BodyLength is wrong is still cut at its real trailer
 * (`|10=...|`), so one bad frame is reported as bad rather than swallowing the frames after it.
 */
export class FixFrameReader {
  #pending = '';

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): string {
    return this.#pending;
  }

  push(chunk: string): ReceivedFrame[] {
    this.#pending += chunk;
    const frames: ReceivedFrame[] = [];
    for (let frame = this.#takeFrame(); frame !== undefined; frame = this.#takeFrame()) frames.push(frame);
    return frames;
  }

  #takeFrame(): ReceivedFrame | undefined {
    const pending = this.#pending;
    if (pending === '' || '8='.startsWith(pending)) return undefined;
    if (!pending.startsWith('8=')) return this.#takeBytesBeforeBeginString();

    const beginStringEnd = pending.indexOf(SOH);
    if (beginStringEnd === -1) return undefined;
    const lengthFieldEnd = pending.indexOf(SOH, beginStringEnd + 1);
    if (lengthFieldEnd === -1) return undefined;
    const lengthField = pending.slice(beginStringEnd + 1, lengthFieldEnd);
    const declaredLength = /^9=[0-9]+$/.test(lengthField) ? Number(lengthField.slice(2)) : undefined;
    const bodyStart = lengthFieldEnd + 1;

    let trailerStart: number | undefined;
    if (declaredLength !== undefined) {
      const declaredEnd = bodyStart + declaredLength;
      const trailerWhereDeclared = pending.startsWith('10=', declaredEnd) && (declaredLength === 0 || pending[declaredEnd - 1] === SOH);
      if (trailerWhereDeclared) trailerStart = declaredEnd;
    }
    if (trailerStart === undefined) {
      // The declared length does not (yet) land on a trailer: either more bytes are coming, or it is wrong.
      const separatorBeforeTrailer = pending.indexOf(`${SOH}10=`, bodyStart - 1);
      if (separatorBeforeTrailer === -1) return undefined;
      trailerStart = separatorBeforeTrailer + 1;
    }
    const trailerEnd = pending.indexOf(SOH, trailerStart);
    if (trailerEnd === -1) return undefined;

    const raw = pending.slice(0, trailerEnd + 1);
    this.#pending = pending.slice(trailerEnd + 1);
    return checkFrame(raw, { lengthField, declaredLength, bodyStart, trailerStart });
  }

  #takeBytesBeforeBeginString(): ReceivedFrame | undefined {
    const nextFrame = findNextBeginString(this.#pending);
    if (nextFrame === undefined) return undefined;
    const raw = this.#pending.slice(0, nextFrame);
    this.#pending = this.#pending.slice(nextFrame);
    return { raw, fields: [], framingErrors: [`${raw.length} bytes that do not start with BeginString (8=): ${printableFix(raw)}`] };
  }
}

/** Where a frame may start again after garbage: `8=` after an SOH, or `8=FIX` anywhere. */
function findNextBeginString(bytes: string): number | undefined {
  const afterSeparator = bytes.indexOf(`${SOH}8=`, 0);
  const anywhere = bytes.indexOf('8=FIX', 1);
  const candidates = [afterSeparator === -1 ? -1 : afterSeparator + 1, anywhere].filter((index) => index > 0);
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}

interface FrameLayout {
  lengthField: string;
  declaredLength: number | undefined;
  bodyStart: number;
  trailerStart: number;
}

function checkFrame(raw: string, layout: FrameLayout): ReceivedFrame {
  const framingErrors: string[] = [];
  const actualLength = layout.trailerStart - layout.bodyStart;
  if (layout.declaredLength === undefined) {
    framingErrors.push(`second field must be BodyLength (9=<digits>) but is '${printableFix(layout.lengthField)}'`);
  } else if (layout.declaredLength !== actualLength) {
    framingErrors.push(`BodyLength 9=${layout.declaredLength} is wrong: the body between 9= and 10= is ${actualLength} bytes`);
  }

  const givenChecksum = raw.slice(layout.trailerStart + 3, -1);
  const computedChecksum = fixChecksum(raw.slice(0, layout.trailerStart));
  if (!/^[0-9]{3}$/.test(givenChecksum)) {
    framingErrors.push(`CheckSum must be three digits but is 10=${printableFix(givenChecksum)} (computed ${computedChecksum})`);
  } else if (givenChecksum !== computedChecksum) {
    framingErrors.push(`CheckSum 10=${givenChecksum} is wrong: computed ${computedChecksum}`);
  }

  let fields: FixField[] = [];
  try {
    fields = parseFixFields(raw);
  } catch (error) {
    framingErrors.push(`malformed frame: ${(error as Error).message}`);
  }
  if (fields.length > 0 && fields[2]?.[0] !== 35) {
    framingErrors.push(`third field must be MsgType (35=) but is tag ${fields[2]?.[0] ?? 'none'}`);
  }
  return { raw, fields, framingErrors };
}

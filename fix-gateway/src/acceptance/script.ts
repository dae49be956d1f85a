// Parses QuickFIX acceptance scripts (`.def`): one action per line, optionally prefixed by a connection number.
// The syntax follows QuickFIX's test Reflector (test/Reflector.rb, `processFile`/`processLine`).

import { readFile } from 'node:fs/promises';
import { type FixField, parseFixFields, printableFix } from './frames.ts';

interface ActionOrigin {
  /** 1-based line number in the script, for error messages. */
  line: number;
  /** `iCONNECT` and unprefixed lines use connection 1, as QuickFIX does. */
  connection: number;
  /** The line as written (SOH shown as `|`), for progress output. */
  source: string;
}

export interface ConnectAction extends ActionOrigin {
  kind: 'connect';
}

export interface DisconnectAction extends ActionOrigin {
  kind: 'disconnect';
}

export interface SendAction extends ActionOrigin {
  kind: 'send';
  /** May hold `<TIME>` placeholders; 9= and 10= are added at send time when missing. */
  message: string;
}

export interface ExpectAction extends ActionOrigin {
  kind: 'expect';
  message: string;
  /** Values may hold `<TIME>` placeholders. */
  fields: FixField[];
}

export interface ExpectDisconnectAction extends ActionOrigin {
  kind: 'expectDisconnect';
}

export type ScriptAction = ConnectAction | DisconnectAction | SendAction | ExpectAction | ExpectDisconnectAction;

export class ScriptSyntaxError extends Error {
  readonly line: number;

  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'ScriptSyntaxError';
    this.line = line;
  }
}

const CONNECTION_PREFIX = /^([IEie])([0-9]+),/;

/** Parses script text read as latin1, so that every byte of a message survives unchanged. */
export function parseAcceptanceScript(text: string): ScriptAction[] {
  const actions: ScriptAction[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const line = index + 1;
    const content = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (content.trim() === '' || content.startsWith('#')) return;

    const prefixed = CONNECTION_PREFIX.exec(content);
    const kindLetter = content[0];
    const connection = prefixed ? Number(prefixed[2]) : 1;
    const body = prefixed ? content.slice(prefixed[0].length) : content.slice(1);
    if (connection < 1) throw new ScriptSyntaxError(line, `connection number must be 1 or more in '${printableFix(content)}'`);
    const origin = { line, connection, source: printableFix(content) };

    switch (kindLetter) {
      case 'i':
        if (body === 'CONNECT') actions.push({ ...origin, kind: 'connect' });
        else if (body === 'DISCONNECT') actions.push({ ...origin, kind: 'disconnect' });
        else throw new ScriptSyntaxError(line, `expected CONNECT or DISCONNECT after 'i' but found '${printableFix(body)}'`);
        return;
      case 'e':
        if (body === 'DISCONNECT') actions.push({ ...origin, kind: 'expectDisconnect' });
        else if (body === 'CONNECT') throw new ScriptSyntaxError(line, 'eCONNECT (the script playing the acceptor) is not supported');
        else throw new ScriptSyntaxError(line, `expected DISCONNECT after 'e' but found '${printableFix(body)}'`);
        return;
      case 'I':
        if (body === '') throw new ScriptSyntaxError(line, 'I line without a message');
        actions.push({ ...origin, kind: 'send', message: body });
        return;
      case 'E':
        actions.push({ ...origin, kind: 'expect', message: body, fields: parseExpectedFields(line, body) });
        return;
      default:
        throw new ScriptSyntaxError(line, `unknown action '${printableFix(kindLetter ?? '')}' (expected one of I, E, i, e or #)`);
    }
  });
  return actions;
}

function parseExpectedFields(line: number, message: string): FixField[] {
  try {
    const fields = parseFixFields(message);
    if (fields.length === 0) throw new Error('no fields');
    return fields;
  } catch (error) {
    throw new ScriptSyntaxError(line, `E line is not a FIX message: ${(error as Error).message}`);
  }
}

export async function readAcceptanceScript(file: string): Promise<ScriptAction[]> {
  return parseAcceptanceScript(await readFile(file, 'latin1'));
}

const TIME_PLACEHOLDER = /<TIME(?:([+-])([0-9]+))?>/g;

/** UTCTimestamp with milliseconds, `YYYYMMDD-HH:MM:SS.sss`. */
export function formatUtcTimestamp(time: Date): string {
  const iso = time.toISOString(); // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 23)}`;
}

/** Replaces `<TIME>`, `<TIME-n>` and `<TIME+n>` (n seconds) with UTC timestamps relative to `now`. */
export function expandTimePlaceholders(template: string, now: Date): string {
  return template.replace(TIME_PLACEHOLDER, (_placeholder, sign: string | undefined, seconds: string | undefined) => {
    const offsetMs = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * Number(seconds) * 1000;
    return formatUtcTimestamp(new Date(now.getTime() + offsetMs));
  });
}

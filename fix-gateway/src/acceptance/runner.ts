// Runs QuickFIX's session acceptance scripts against an acceptor, acting as the initiator like QuickFIX's own
// test runner (test/Runner.rb with ReflectorClient.rb): actions run in order and a script stops at its first
// failing action. Waits are bounded, and every received frame must have a correct BodyLength and CheckSum.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { compareReceivedMessage, type FieldPatterns, parseFieldPatterns, QUICKFIX_DEFAULT_FIELD_PATTERNS } from './compare.ts';
import { AcceptorConnection, type UnreadData } from './connection.ts';
import { prepareOutgoingMessage, printableFix, type ReceivedFrame } from './frames.ts';
import { type ExpectAction, expandTimePlaceholders, parseAcceptanceScript, type ScriptAction, type SendAction } from './script.ts';

export interface AcceptanceTarget {
  host: string;
  port: number;
  /** Called before each script: the acceptor's test session must start from a fresh state. */
  resetSession(): Promise<void>;
}

export interface ScriptResult {
  script: string;
  passed: boolean;
  failures: string[];
  warnings: string[];
  durationMs: number;
}

export interface RunOptions {
  /** Bound on each wait: a connect, an expected message, an expected disconnect. Default 20 s. */
  expectTimeoutMs?: number;
  /** Receives one line per action and one summary line per script. */
  onProgress?: (line: string) => void;
  /** For `runAcceptanceSuite`: run only the scripts whose file name matches. */
  only?: RegExp;
}

// The heartbeat scripts (4a_, 6_) wait up to about 16 s for one message; 20 s leaves a margin.
const DEFAULT_EXPECT_TIMEOUT_MS = 20_000;
// How long we let the acceptor close its side after we close ours, before the next action or script.
const CLOSE_GRACE_MS = 1_000;

export async function runAcceptanceScript(file: string, target: AcceptanceTarget, options: RunOptions = {}): Promise<ScriptResult> {
  const startedAt = performance.now();
  const script = path.basename(file);
  const expectTimeoutMs = options.expectTimeoutMs ?? DEFAULT_EXPECT_TIMEOUT_MS;
  const execution = new ScriptExecution({
    target,
    expectTimeoutMs,
    closeGraceMs: Math.min(CLOSE_GRACE_MS, expectTimeoutMs),
    progress: (line) => options.onProgress?.(`${script}:${line}`),
  });
  try {
    const actions = parseAcceptanceScript(await readFile(file, 'latin1'));
    execution.patterns = await loadFieldPatterns(path.dirname(file));
    await target.resetSession().catch((error: Error) => {
      throw new Error(`resetSession failed: ${error.message}`);
    });
    await execution.run(actions);
  } catch (error) {
    execution.failures.push(`${script}: ${(error as Error).message}`);
  }
  const result: ScriptResult = {
    script,
    passed: execution.failures.length === 0,
    failures: execution.failures,
    warnings: execution.warnings,
    durationMs: Math.round(performance.now() - startedAt),
  };
  options.onProgress?.(formatScriptLine(result, script.length));
  return result;
}

/** Runs every `.def` script of `dir` in file-name order, each from a fresh session. */
export async function runAcceptanceSuite(dir: string, target: AcceptanceTarget, options: RunOptions = {}): Promise<ScriptResult[]> {
  const { only } = options;
  const scripts = (await readdir(dir)).filter((name) => name.endsWith('.def') && (only === undefined || name.search(only) !== -1)).sort();
  const results: ScriptResult[] = [];
  for (const name of scripts) results.push(await runAcceptanceScript(path.join(dir, name), target, options));
  return results;
}

export function formatAcceptanceReport(results: ScriptResult[]): string {
  const nameWidth = Math.max(0, ...results.map((result) => result.script.length));
  const passed = results.filter((result) => result.passed).length;
  const warnings = results.reduce((sum, result) => sum + result.warnings.length, 0);
  const totals = `${results.length} scripts: ${passed} passed, ${results.length - passed} failed, ${warnings} warning(s)`;
  return [...results.map((result) => formatScriptLine(result, nameWidth)), totals].join('\n');
}

function formatScriptLine(result: ScriptResult, nameWidth: number): string {
  const seconds = `${(result.durationMs / 1000).toFixed(1)} s`;
  const warnings = result.warnings.length === 0 ? '' : `, ${result.warnings.length} warning(s)`;
  const failures = result.failures.length === 0 ? '' : `  ${result.failures.join(' || ')}`;
  return `${result.passed ? 'PASS' : 'FAIL'}  ${result.script.padEnd(nameWidth)}  (${seconds}${warnings})${failures}`;
}

async function loadFieldPatterns(scriptDir: string): Promise<FieldPatterns> {
  try {
    return parseFieldPatterns(await readFile(path.join(scriptDir, 'fields.fmt'), 'latin1'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return parseFieldPatterns(QUICKFIX_DEFAULT_FIELD_PATTERNS);
  }
}

function actionLabel(action: ScriptAction): string {
  const connection = action.connection;
  switch (action.kind) {
    case 'connect':
      return `i${connection},CONNECT`;
    case 'disconnect':
      return `i${connection},DISCONNECT`;
    case 'send':
      return `I${connection}`;
    case 'expect':
      return `E${connection}`;
    case 'expectDisconnect':
      return `e${connection},DISCONNECT`;
  }
}

function describeIncomplete(leftover: string): string {
  return leftover === '' ? '' : `; ${leftover.length} bytes that are not a complete frame arrived: ${printableFix(leftover)}`;
}

interface ExecutionSettings {
  target: AcceptanceTarget;
  expectTimeoutMs: number;
  closeGraceMs: number;
  progress: (line: string) => void;
}

class ScriptExecution {
  readonly failures: string[] = [];
  readonly warnings: string[] = [];
  patterns: FieldPatterns = new Map();
  readonly #settings: ExecutionSettings;
  readonly #connections = new Map<number, AcceptorConnection>();

  constructor(settings: ExecutionSettings) {
    this.#settings = settings;
  }

  async run(actions: readonly ScriptAction[]): Promise<void> {
    try {
      for (const action of actions) {
        if (!(await this.#perform(action))) return;
      }
    } finally {
      for (const [connection, acceptorConnection] of this.#connections) {
        this.#judgeUnread(connection, await acceptorConnection.close(this.#settings.closeGraceMs), 'at the end of the script');
      }
      this.#connections.clear();
    }
  }

  /** Returns false when the action failed, which ends the script. */
  async #perform(action: ScriptAction): Promise<boolean> {
    switch (action.kind) {
      case 'connect':
        return this.#connect(action);
      case 'disconnect':
        return this.#disconnect(action);
      case 'send':
        return this.#send(action);
      case 'expect':
        return this.#expect(action);
      case 'expectDisconnect':
        return this.#expectDisconnect(action);
    }
  }

  #fail(action: ScriptAction, problem: string): false {
    this.failures.push(`line ${action.line} [${actionLabel(action)}]: ${problem}`);
    return false;
  }

  #openConnection(action: ScriptAction): AcceptorConnection | undefined {
    const connection = this.#connections.get(action.connection);
    if (connection === undefined) this.#fail(action, `connection ${action.connection} is not open`);
    return connection;
  }

  async #connect(action: ScriptAction): Promise<boolean> {
    if (this.#connections.has(action.connection)) return this.#fail(action, `connection ${action.connection} is already open`);
    const { target, expectTimeoutMs } = this.#settings;
    try {
      this.#connections.set(action.connection, await AcceptorConnection.open(target.host, target.port, expectTimeoutMs));
    } catch (error) {
      return this.#fail(action, (error as Error).message);
    }
    this.#settings.progress(`${action.line} ${actionLabel(action)}`);
    return true;
  }

  async #disconnect(action: ScriptAction): Promise<boolean> {
    const connection = this.#openConnection(action);
    if (connection === undefined) return false;
    this.#connections.delete(action.connection);
    this.#settings.progress(`${action.line} ${actionLabel(action)}`);
    const failuresBefore = this.failures.length;
    this.#judgeUnread(
      action.connection,
      await connection.close(this.#settings.closeGraceMs),
      `at line ${action.line} [${actionLabel(action)}]`,
    );
    return this.failures.length === failuresBefore;
  }

  async #send(action: SendAction): Promise<boolean> {
    const connection = this.#openConnection(action);
    if (connection === undefined) return false;
    const bytes = prepareOutgoingMessage(expandTimePlaceholders(action.message, new Date()));
    this.#settings.progress(`${action.line} ${actionLabel(action)} > ${printableFix(bytes)}`);
    if (!(await connection.send(bytes))) {
      // QuickFIX's runner writes into a connection the acceptor has closed without noticing; the next E or e
      // line then judges the outcome.
      this.warnings.push(
        `line ${action.line} [${actionLabel(action)}]: not sent, the acceptor had already closed connection ${action.connection}`,
      );
    }
    return true;
  }

  async #expect(action: ExpectAction): Promise<boolean> {
    const connection = this.#openConnection(action);
    if (connection === undefined) return false;
    const now = new Date();
    const expectedText = printableFix(expandTimePlaceholders(action.message, now));
    const expectedFields = action.fields.map(([tag, value]) => [tag, expandTimePlaceholders(value, now)] as const);
    const { expectTimeoutMs } = this.#settings;

    const outcome = await connection.nextFrame(expectTimeoutMs);
    if (outcome.kind === 'timeout') {
      return this.#fail(action, `no message within ${expectTimeoutMs} ms; expected ${expectedText}${describeIncomplete(outcome.leftover)}`);
    }
    if (outcome.kind === 'closed') {
      return this.#fail(action, `${outcome.reason} instead of sending ${expectedText}${describeIncomplete(outcome.leftover)}`);
    }

    const { frame } = outcome;
    this.#settings.progress(`${action.line} ${actionLabel(action)} < ${printableFix(frame.raw)}`);
    const comparison =
      frame.fields.length === 0 ? { mismatches: [], remarks: [] } : compareReceivedMessage(expectedFields, frame.fields, this.patterns);
    for (const remark of comparison.remarks) this.warnings.push(`line ${action.line} [${actionLabel(action)}]: ${remark}`);
    const problems = [...frame.framingErrors, ...comparison.mismatches];
    if (problems.length === 0) return true;
    return this.#fail(action, `${problems.join('; ')}; expected ${expectedText} received ${printableFix(frame.raw)}`);
  }

  async #expectDisconnect(action: ScriptAction): Promise<boolean> {
    const connection = this.#openConnection(action);
    if (connection === undefined) return false;
    const { expectTimeoutMs, closeGraceMs } = this.#settings;
    const outcome = await connection.waitForPeerClose(expectTimeoutMs);
    if (outcome.kind === 'timeout') {
      return this.#fail(action, `the acceptor did not close connection ${action.connection} within ${expectTimeoutMs} ms`);
    }
    if (outcome.kind === 'data') {
      const received = outcome.frames.map(describeReceivedFrame);
      if (outcome.leftover !== '')
        received.push(`${outcome.leftover.length} bytes of an incomplete frame: ${printableFix(outcome.leftover)}`);
      return this.#fail(
        action,
        `expected the acceptor to close connection ${action.connection} without sending more, but it sent ${received.join(' then ')}`,
      );
    }
    this.#connections.delete(action.connection);
    this.#settings.progress(`${action.line} ${actionLabel(action)}`);
    await connection.close(closeGraceMs);
    return true;
  }

  /** Unread messages are not failures (QuickFIX ignores them), but a malformed frame always is. */
  #judgeUnread(connection: number, unread: UnreadData, when: string): void {
    for (const frame of unread.frames) {
      if (frame.framingErrors.length > 0) {
        this.failures.push(`connection ${connection}: malformed frame received, unread ${when}: ${describeReceivedFrame(frame)}`);
      } else {
        this.warnings.push(
          `connection ${connection}: message received but not expected by the script, unread ${when}: ${printableFix(frame.raw)}`,
        );
      }
    }
    if (unread.leftover === '') return;
    const incomplete = `${unread.leftover.length} bytes of an incomplete frame, unread ${when}: ${printableFix(unread.leftover)}`;
    if (unread.leftover.startsWith('8=') || unread.leftover === '8') this.warnings.push(`connection ${connection}: ${incomplete}`);
    else this.failures.push(`connection ${connection}: bytes that do not start with BeginString (8=): ${incomplete}`);
  }
}

function describeReceivedFrame(frame: ReceivedFrame): string {
  const errors = frame.framingErrors.length === 0 ? '' : ` (${frame.framingErrors.join('; ')})`;
  return `${printableFix(frame.raw)}${errors}`;
}

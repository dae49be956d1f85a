// The load generator of the FIX echo, one child process per measurement: jspurefix's stock
// initiator (AsciiSession over its TCP transport, file store) logs on, keeps `window` orders
// outstanding, times each NewOrderSingle to its ExecutionReport, checks that every order is
// answered exactly once with its own ClOrdID, logs out and reports to its parent over IPC.
// The same code drives both acceptors, so only the acceptor differs between the two numbers.
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import {
  AsciiSession,
  EmptyLogFactory,
  type EngineFactory,
  type IJsFixConfig,
  type ISessionDescription,
  type MsgView,
  SessionLauncher,
} from 'jspurefix';
import { newOrderSingle } from './echo-messages.ts';
import { type EchoCompIds, initiatorDescription } from './session-descriptions.ts';

export interface EchoPlan {
  compIds: EchoCompIds;
  port: number;
  username: string;
  password: string;
  storeDirectory: string;
  warmupSeconds: number;
  seconds: number;
  window: number;
}

export interface EchoRun {
  /** Orders answered within the measured seconds, per second. */
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Every order sent, warm-up and drain included. */
  sent: number;
  answered: number;
  /** ExecutionReports for an order already answered. */
  duplicates: number;
  /** ExecutionReports whose ClOrdID was never sent. */
  unknown: number;
  /** Anything else the acceptor said: Rejects, BusinessMessageRejects, unexpected ExecTypes. */
  problems: string[];
  /** Orders still unanswered when the drain timed out. */
  outstanding: number;
  /** This process's CPU time in the measured seconds, as a share of one core. */
  cpuShare: number;
  /** How the session ended badly after the run was complete (the Logout handshake), if it did. */
  endError?: string;
}

/** What the initiator tells its parent: the measured seconds start and end, then the run. */
export type InitiatorMessage = { phase: 'measuring' | 'measured' } | EchoRun | { error: string };

const DRAIN_TIMEOUT_MS = 10_000;

class EchoInitiator extends AsciiSession {
  private readonly plan: EchoPlan;
  private readonly report: (run: EchoRun) => void;
  /** ClOrdID → when it was sent, for the orders not answered yet. */
  private readonly pending = new Map<string, number>();
  private readonly answeredIds = new Set<string>();
  private readonly latencies: number[] = [];
  private sent = 0;
  private duplicates = 0;
  private unknown = 0;
  private readonly problems: string[] = [];
  private measureFrom = Number.POSITIVE_INFINITY;
  private measureUntil = Number.POSITIVE_INFINITY;
  private measured = 0;
  private cpuShare = Number.NaN;
  private finished = false;

  constructor(config: IJsFixConfig, plan: EchoPlan, report: (run: EchoRun) => void) {
    super(config);
    this.plan = plan;
    this.report = report;
  }

  protected override onReady(_view: MsgView): void {
    const now = performance.now();
    this.measureFrom = now + this.plan.warmupSeconds * 1000;
    this.measureUntil = this.measureFrom + this.plan.seconds * 1000;
    setTimeout(() => this.finish(), this.measureUntil - now + DRAIN_TIMEOUT_MS).unref();
    // The parent samples the acceptor's and the machine's CPU at the same two moments.
    let cpuFrom = process.cpuUsage();
    setTimeout(() => {
      cpuFrom = process.cpuUsage();
      process.send?.({ phase: 'measuring' } satisfies InitiatorMessage);
    }, this.measureFrom - now);
    setTimeout(() => {
      const used = process.cpuUsage(cpuFrom);
      this.cpuShare = (used.user + used.system) / 1000 / (this.plan.seconds * 1000);
      process.send?.({ phase: 'measured' } satisfies InitiatorMessage);
    }, this.measureUntil - now);
    for (let i = 0; i < this.plan.window; i++) this.sendOrder();
  }

  private sendOrder(): void {
    const clOrdId = `o${++this.sent}`;
    this.pending.set(clOrdId, performance.now());
    this.send('D', newOrderSingle(clOrdId, new Date()));
  }

  protected override onApplicationMsg(msgType: string, view: MsgView): void {
    const now = performance.now();
    if (msgType !== '8') {
      this.problem(`${msgType}: ${view.getString(58) ?? ''}`);
      return;
    }
    const clOrdId = view.getString(11) ?? '';
    const sentAt = this.pending.get(clOrdId);
    if (sentAt === undefined) {
      if (this.answeredIds.has(clOrdId)) this.duplicates++;
      else this.unknown++;
      return;
    }
    if (view.getString(150) !== '0') this.problem(`ExecType ${view.getString(150)} for ${clOrdId}`);
    this.pending.delete(clOrdId);
    this.answeredIds.add(clOrdId);
    if (now >= this.measureFrom && now <= this.measureUntil) {
      this.measured++;
      // Only orders sent after the warm-up: earlier ones carry its queueing.
      if (sentAt >= this.measureFrom) this.latencies.push(now - sentAt);
    }
    if (now < this.measureUntil) this.sendOrder();
    else if (this.pending.size === 0) this.finish();
  }

  protected override onSessionMsg(msgType: string, view: MsgView): void {
    // A session-level Reject means the acceptor refused something we sent: the run is not an echo.
    if (msgType === '3')
      this.problem(`Reject 373=${view.getString(373) ?? ''} 371=${view.getString(371) ?? ''}: ${view.getString(58) ?? ''}`);
    super.onSessionMsg(msgType, view);
  }

  private problem(text: string): void {
    if (this.problems.length < 20) this.problems.push(text);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    const sorted = Float64Array.from(this.latencies).sort();
    const quantile = (q: number) =>
      sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
    this.report({
      ordersPerSecond: this.measured / this.plan.seconds,
      p50Ms: quantile(0.5),
      p99Ms: quantile(0.99),
      sent: this.sent,
      answered: this.answeredIds.size,
      duplicates: this.duplicates,
      unknown: this.unknown,
      problems: this.problems,
      outstanding: this.pending.size,
      cpuShare: this.cpuShare,
    });
    this.done();
  }

  protected override onStopped(error?: Error): void {
    if (!this.finished) {
      this.problem(`session stopped before the run ended${error ? `: ${error.message}` : ''}`);
      this.finish();
    }
  }

  protected override onLogon(_view: MsgView, _user: string, _password: string): boolean {
    return true;
  }

  protected override onDecoded(_msgType: string, _txt: string): void {}
  protected override onEncoded(_msgType: string, _txt: string): void {}
}

class EchoLauncher extends SessionLauncher {
  private readonly plan: EchoPlan;
  private readonly report: (run: EchoRun) => void;

  constructor(description: ISessionDescription, plan: EchoPlan, report: (run: EchoRun) => void) {
    // No logging: jspurefix logs every message at info level, which would be measured too.
    super(description, null, new EmptyLogFactory());
    this.plan = plan;
    this.report = report;
  }

  protected override makeFactory(_config: IJsFixConfig): EngineFactory {
    return { makeSession: (sessionConfig: IJsFixConfig) => new EchoInitiator(sessionConfig, this.plan, this.report) };
  }
}

const plan = JSON.parse(process.env.BENCH_FIX_PLAN ?? 'null') as EchoPlan | null;
if (!plan || !process.send) throw new Error('run by fix-echo.ts: BENCH_FIX_PLAN and an IPC channel are required');
let result: EchoRun | null = null;
const launcher = new EchoLauncher(initiatorDescription(plan), plan, (run) => {
  result = run;
});
try {
  await launcher.run();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  // After a complete run only the Logout handshake is left: report it, keep the measurement.
  if (result) result = { ...(result as EchoRun), endError: message };
  else {
    process.send({ error: message } satisfies InitiatorMessage);
    process.exit(1);
  }
}
process.send((result ?? { error: 'the session ended without a result' }) satisfies InitiatorMessage, () => process.exit(0));

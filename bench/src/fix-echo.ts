// The FIX benchmark of issue 6: a logged-on echo, NewOrderSingle → ExecutionReport, through
// our gateway (our session layer, PostgreSQL store, a real API-client Logon), against a bare
// jspurefix acceptor (its stock session layer and file store) measured in the same run.
// Each acceptor runs in its own process; one jspurefix initiator process per measurement drives
// it with the same window of outstanding orders, so only the acceptor differs between the two.
// Run alone: node bench/src/fix/standalone.ts.
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AuditContext } from '@atrium/compliance';
import { createDatabase } from '@atrium/db';
import { freePort } from '@atrium/db/testing';
import { createFixSession } from '@atrium/fix-gateway';
import { createApiClient, createReseller, createTenant } from '@atrium/tenants';
import postgres from 'postgres';
import type { EchoPlan, EchoRun, InitiatorMessage } from './fix/initiator.ts';
import type { EchoCompIds } from './fix/session-descriptions.ts';

export interface FixEchoOptions {
  adminUrl: string;
  /** atrium_app: the gateway's runtime role. */
  appUrl: string;
  /** Measured seconds per side and round (after the warm-up). */
  seconds: number;
  /** Orders kept outstanding by the initiator, the same against both acceptors. */
  window: number;
  /** Default BENCH_FIX_WARMUP, else 2. */
  warmupSeconds?: number;
  /** Alternating bare/ours rounds, averaged; default BENCH_FIX_ROUNDS, else 1. */
  rounds?: number;
}

export interface FixEchoSide {
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface FixEchoResult {
  bare: FixEchoSide;
  atrium: FixEchoSide;
  notes: string[];
}

const here = path.join(import.meta.dirname, 'fix');
const SETUP: AuditContext = { actor: { type: 'system', id: 'bench-fix-echo' } };

export async function benchFixEcho(options: FixEchoOptions): Promise<FixEchoResult> {
  const warmupSeconds = options.warmupSeconds ?? Number(process.env.BENCH_FIX_WARMUP ?? 2);
  const rounds = options.rounds ?? Number(process.env.BENCH_FIX_ROUNDS ?? 1);
  // Unique per call (a CompID pair is unique across tenants, and the database may be reused),
  // and of one length on every side, so that every message is the same size.
  const suffix = randomBytes(3).toString('hex').toUpperCase();
  const compIds: EchoCompIds = { acceptor: `ATRIUM-${suffix}`, initiator: `BENCH-${suffix}` };
  const awaitingCompIds: EchoCompIds = { acceptor: `ATRIUM-${suffix}`, initiator: `BENCHW${suffix}` };
  const setup = await createEchoSessions(options.appUrl, [compIds, awaitingCompIds]);
  const [pipelined, awaiting] = setup.sessionIds as [string, string];

  const storeRoot = await mkdtemp(path.join(os.tmpdir(), 'atrium-fix-echo-'));
  const children: ChildProcess[] = [];
  try {
    const bare = await startAcceptor('bare-acceptor.ts', {
      BENCH_FIX_PORT: String(await freePort()),
      BENCH_FIX_STORE: path.join(storeRoot, 'bare-acceptor'),
      BENCH_FIX_COMP_IDS: JSON.stringify(compIds),
    });
    children.push(bare.child);
    const atrium = await startAcceptor('atrium-acceptor.ts', { BENCH_APP_URL: options.appUrl, BENCH_FIX_AWAITING_SESSION: awaiting });
    children.push(atrium.child);

    const plan = (ids: EchoCompIds, port: number, store: string): EchoPlan => ({
      compIds: ids,
      port,
      username: setup.clientId,
      password: setup.secret,
      storeDirectory: path.join(storeRoot, store),
      warmupSeconds,
      seconds: options.seconds,
      window: options.window,
    });
    const runs: Record<'bare' | 'atrium' | 'awaiting', MeasuredRun[]> = { bare: [], atrium: [], awaiting: [] };
    const endErrors: string[] = [];
    // PostgreSQL commits while each side ran: how well the store's group commit groups.
    const commits = { bare: 0, atrium: 0, awaiting: 0 };
    // Alternating, so that drift on a shared machine lands on every side alike.
    for (let round = 0; round < rounds; round++) {
      const measure = async (side: keyof typeof runs, ids: EchoCompIds, acceptor: { child: ChildProcess; port: number }) => {
        const commitsBefore = await committedTransactions(options.adminUrl);
        const run = await runInitiator(plan(ids, acceptor.port, `initiator-${side}-${round}`), acceptor.child);
        runs[side].push(checked(side, run));
        commits[side] += (await committedTransactions(options.adminUrl)) - commitsBefore;
        if (run.endError) endErrors.push(`${side}, round ${round + 1}: ${run.endError}`);
      };
      await measure('bare', compIds, bare);
      await measure('atrium', compIds, atrium);
      await measure('awaiting', awaitingCompIds, atrium);
    }

    // Every ExecutionReport the initiator received must have been committed before it was written.
    const answered = [...runs.atrium, ...runs.awaiting].reduce((sum, run) => sum + run.answered, 0);
    const stored = await countStoredExecutionReports(options.adminUrl, [pipelined, awaiting]);
    if (stored !== answered) throw new Error(`FIX echo: the gateway stored ${stored} ExecutionReports, the initiator received ${answered}`);

    const result = { bare: merge(runs.bare), atrium: merge(runs.atrium) };
    const awaited = merge(runs.awaiting);
    const ratio = (side: FixEchoSide) => `${(side.ordersPerSecond / result.bare.ordersPerSecond).toFixed(2)}×`;
    const total = (side: EchoRun[]) => side.reduce((sum, run) => sum + run.sent, 0);
    const sent = (side: EchoRun[]) => total(side).toLocaleString('en');
    const perCommit = (side: 'atrium' | 'awaiting') => (total(runs[side]) / Math.max(1, commits[side])).toFixed(1);
    // Which process is the bottleneck: the initiator is the same on every side; the rest is mostly PostgreSQL.
    const cpu = (side: MeasuredRun[]) => {
      const mean = (pick: (run: MeasuredRun) => number) => (side.reduce((sum, run) => sum + pick(run), 0) / side.length).toFixed(2);
      return `initiator ${mean((run) => run.cpuShare)}, acceptor ${mean((run) => run.acceptorCpu)}, machine ${mean((run) => run.machineCpu)}`;
    };
    return {
      ...result,
      notes: [
        `ours/bare: ${ratio(result.atrium)} orders/s (target ≥ 0.80×), our handler not awaiting gateway.send; ≈ ${perCommit('atrium')} orders per PostgreSQL commit`,
        `ours with the handler awaiting gateway.send (as fix-gateway's test fixture does): ${Math.round(awaited.ordersPerSecond)} orders/s, p50 ${awaited.p50Ms.toFixed(2)} ms, p99 ${awaited.p99Ms.toFixed(2)} ms, ${ratio(awaited)}; ≈ ${perCommit('awaiting')} orders per commit`,
        `window ${options.window} orders outstanding, ${warmupSeconds} s warm-up + ${options.seconds} s measured per side, ${rounds} round(s) alternating; latencies of the orders sent and answered in the measured seconds`,
        `every order answered exactly once with its own ClOrdID (${sent(runs.bare)} bare, ${sent(runs.atrium)} ours, ${sent(runs.awaiting)} ours awaiting); ${stored.toLocaleString('en')} ExecutionReports in fix_messages, as many as received`,
        `CPU in the measured seconds, in cores of ${os.cpus().length}: bare: ${cpu(runs.bare)}; ours: ${cpu(runs.atrium)}; ours awaiting: ${cpu(runs.awaiting)}`,
        'the same initiator on every side: jspurefix 5.11 AsciiSession, TCP, file store; logging off in jspurefix (initiator and bare acceptor) as in the gateway',
        'bare: jspurefix AsciiSession acceptor with its file store (appends and rewrites its files asynchronously, no fsync; a message goes to the socket before it is stored)',
        'ours: startFixGateway, Logon checked against an API client secret, every ExecutionReport committed to PostgreSQL (fsync on) before it goes to the socket',
        ...endErrors.map((error) => `the initiator's session ended badly after a complete run (Logout handshake): ${error}`),
      ],
    };
  } finally {
    await Promise.all(children.map(stopAcceptor));
    await rm(storeRoot, { recursive: true, force: true });
  }
}

/** A tenant, an API client (Logon's Username/Password) and one FIX session per CompID pair, bound to it. */
async function createEchoSessions(appUrl: string, pairs: EchoCompIds[]) {
  const db = createDatabase({ url: appUrl, poolSize: 1 });
  try {
    const slug = `bench-fix-${(pairs[0] as EchoCompIds).acceptor.toLowerCase()}`;
    const tenantId = await db.withPlatform(async (tx) => {
      const reseller = await createReseller(tx, { slug, name: 'FIX bench' });
      return (await createTenant(tx, reseller.id, { slug, name: 'FIX bench', legalName: 'FIX bench Ltd' }, SETUP)).id;
    });
    const { client, clientSecret } = await db.withTenant(tenantId, (tx) =>
      createApiClient(tx, { name: 'FIX bench initiator', roles: ['trader'] }, SETUP),
    );
    const sessionIds: string[] = [];
    for (const ids of pairs) {
      const session = await db.withPlatform((tx) =>
        createFixSession(
          tx,
          tenantId,
          { name: `FIX bench ${ids.initiator}`, senderCompId: ids.acceptor, targetCompId: ids.initiator, apiClientId: client.id },
          SETUP,
        ),
      );
      sessionIds.push(session.id);
    }
    return { clientId: client.clientId, secret: clientSecret, sessionIds };
  } finally {
    await db.close();
  }
}

function forkChild(file: string, env: NodeJS.ProcessEnv): ChildProcess {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each acceptor there (as run.ts does for its servers).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return fork(path.join(here, file), {
    env: { ...process.env, ...env },
    stdio: 'inherit',
    execArgv: [...process.execArgv, ...(file.endsWith('initiator.ts') ? [] : profile)],
  });
}

function startAcceptor(file: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = forkChild(file, env);
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve({ child, port: message.port }));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

/** Asks for a clean exit (so a CPU profile is written), then insists. */
async function stopAcceptor(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ stop: true });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

interface MeasuredRun extends EchoRun {
  /** CPU in the measured seconds, in cores: the acceptor process, and the whole machine. */
  acceptorCpu: number;
  machineCpu: number;
}

function runInitiator(plan: EchoPlan, acceptor: ChildProcess): Promise<MeasuredRun> {
  const child = forkChild('initiator.ts', { BENCH_FIX_PLAN: JSON.stringify(plan) });
  return new Promise((resolve, reject) => {
    let answer: EchoRun | { error: string } | null = null;
    let from: Promise<CpuSample> | null = null;
    let until: Promise<CpuSample> | null = null;
    child.on('message', (message: InitiatorMessage) => {
      if ('phase' in message) {
        if (message.phase === 'measuring') from = sampleCpu(acceptor);
        else until = sampleCpu(acceptor);
      } else answer = message;
    });
    child.once('exit', async (code) => {
      if (!answer || 'error' in answer || !from || !until) {
        reject(new Error(`FIX echo initiator: ${answer && 'error' in answer ? answer.error : `exited with ${code} without a result`}`));
        return;
      }
      const [a, b] = await Promise.all([from, until]);
      const seconds = plan.seconds * 1e6;
      resolve({
        ...answer,
        acceptorCpu: (b.processMicros - a.processMicros) / seconds,
        machineCpu: (b.busyMicros - a.busyMicros) / seconds,
      });
    });
  });
}

interface CpuSample {
  processMicros: number;
  /** Busy time of all cores together. */
  busyMicros: number;
}

function sampleCpu(child: ChildProcess): Promise<CpuSample> {
  const cores = os.cpus();
  const busyMicros = cores.reduce((sum, core) => sum + (core.times.user + core.times.nice + core.times.sys + core.times.irq) * 1000, 0);
  return new Promise((resolve) => {
    const onMessage = (message: { cpu?: NodeJS.CpuUsage }) => {
      if (!message.cpu) return;
      child.off('message', onMessage);
      resolve({ processMicros: message.cpu.user + message.cpu.system, busyMicros });
    };
    child.on('message', onMessage);
    child.send({ cpu: true });
  });
}

/** A run that saw an error path measured the error path: stop rather than report it. */
function checked(side: string, run: MeasuredRun): MeasuredRun {
  const wrong = [
    run.outstanding > 0 ? `${run.outstanding} orders never answered` : '',
    run.duplicates > 0 ? `${run.duplicates} duplicate ExecutionReports` : '',
    run.unknown > 0 ? `${run.unknown} ExecutionReports for unknown ClOrdIDs` : '',
    run.answered !== run.sent ? `${run.sent} sent, ${run.answered} answered` : '',
    ...run.problems,
  ].filter(Boolean);
  if (wrong.length > 0) throw new Error(`FIX echo against ${side}: ${wrong.join('; ')}`);
  return run;
}

/** Rounds of one side: mean throughput, and the worst round's latencies. */
function merge(runs: EchoRun[]): FixEchoSide {
  return {
    ordersPerSecond: runs.reduce((sum, run) => sum + run.ordersPerSecond, 0) / runs.length,
    p50Ms: Math.max(...runs.map((run) => run.p50Ms)),
    p99Ms: Math.max(...runs.map((run) => run.p99Ms)),
  };
}

async function committedTransactions(adminUrl: string): Promise<number> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    // Backends report their statistics at most once a second: let the last second's arrive.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const [row] = await sql<{ commits: string }[]>`
      select xact_commit::text as commits from pg_stat_database where datname = current_database()`;
    return Number(row?.commits ?? 0);
  } finally {
    await sql.end();
  }
}

async function countStoredExecutionReports(adminUrl: string, sessionIds: string[]): Promise<number> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ count: number }[]>`
      select count(*)::int as count from atrium.fix_messages where session_id = any(${sessionIds}::uuid[]) and msg_type = '8'`;
    return row?.count ?? 0;
  } finally {
    await sql.end();
  }
}

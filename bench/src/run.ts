// npm run bench: every case against one fresh embedded PostgreSQL, in one run, as ratios to a baseline
// measured in that same run. Servers run in child processes; autocannon drives them from this one.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { seedDemoData } from '@atrium/api/seed';
import { sealCommitted, verifyAuditChain } from '@atrium/compliance';
import { createDatabase, migrate, startEmbeddedPostgres, withSocket } from '@atrium/db';
import { freePort, withCredentials } from '@atrium/db/testing';
import { createTenant, findTenantIdBySlug } from '@atrium/tenants';
import { createAccount, listAccounts } from '@atrium/trading';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { cpuPerRequest, snapshotCpu } from './cpu.ts';
import { benchFixEcho } from './fix-echo.ts';
import { benchMatchingEngine } from './matching.ts';
import { pacedLoad } from './paced.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 10);
const APP_PASSWORD = 'atrium-bench';
// BENCH_ONLY=<regex> runs only the matching cases (and the baselines they are compared with), for profiling.
const ONLY = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : null;
const root = path.resolve(import.meta.dirname, '..');

interface CaseResult {
  name: string;
  group: 'read' | 'write' | 'orders' | 'fix';
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  baseline?: string;
}

const dataDir = path.join(root, '..', '.data', `bench-pg-${process.pid}`);
const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true });
const children: ChildProcess[] = [];
try {
  await migrate({ adminUrl: pg.adminUrl, appPassword: APP_PASSWORD });
  const appUrl = withSocket(withCredentials(pg.adminUrl, 'atrium_app', APP_PASSWORD), pg.socketDir);
  const db = createDatabase({ url: appUrl, poolSize: 4 });
  await seedDemoData(db);
  const acme = (await findTenantIdBySlug(db, 'acme')) as string;
  const globex = (await findTenantIdBySlug(db, 'globex')) as string;
  const account = (await db.withTenant(acme, (tx) => listAccounts(tx, { limit: 1 }))).items[0];
  if (!account) throw new Error('seed produced no account');
  const [{ version: pgVersion }] = await db.withPlatform((tx) => tx`select current_setting('server_version') as version`);
  // Ten tenants with one account each for order entry: the two demo tenants and eight more.
  const traders: { tenantId: string; accountId: string }[] = [];
  const seeder = { actor: { type: 'system' as const, id: 'bench' } };
  const resellerId = (await db.withPlatform((tx) => tx<{ id: string }[]>`select id from resellers where slug = 'northwind'`))[0]
    ?.id as string;
  for (let i = 0; i < 10; i++) {
    const tenantId =
      i === 0
        ? acme
        : i === 1
          ? globex
          : (
              await db.withPlatform((tx) =>
                createTenant(tx, resellerId, { slug: `bench-${i}`, name: `Bench ${i}`, legalName: `Bench ${i} Ltd` }, seeder),
              )
            ).id;
    const accountId = await db.withTenant(tenantId, async (tx) =>
      i < 2
        ? ((await listAccounts(tx, { limit: 1 })).items[0]?.id as string)
        : (await createAccount(tx, { code: 'BENCH', name: 'Bench' }, seeder)).id,
    );
    traders.push({ tenantId, accountId });
  }

  // A trading database has history and statistics; an empty, never-analysed one does not behave like it.
  // (Measured: with orders grown from empty since the last ANALYZE, each foreign-key check against
  // orders took 0.2–0.6 ms and grew with the table; with history and statistics, 0.01 ms.)
  const HISTORY = Number(process.env.BENCH_HISTORY_ORDERS ?? 5000);
  const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
  for (const [i, trader] of traders.entries()) {
    await admin.unsafe(
      `with history as (
         -- UUIDv7-shaped ids from 30 days ago onwards, so history sorts before today's orders as real ids do.
         select (lpad(to_hex((extract(epoch from now() - interval '30 days') * 1000)::bigint + g * 500), 12, '0') || '7'
                 || substr(md5($3 || g), 1, 3) || '8' || substr(md5($3 || g), 4, 15))::uuid as id, g
           from generate_series(1, $4::int) g
       ), orders as (
         insert into atrium.orders (tenant_id, id, account_id, client_order_id, instrument, venue, side, type, time_in_force,
                                    quantity, price, status, cum_quantity, leaves_quantity, avg_price, cum_notional)
         select $1, id, $2, 'h' || $3 || '-' || g, 'BTC-USD', 'paper', case when g % 2 = 0 then 'buy' else 'sell' end, 'limit', 'GTC',
                0.001, 60000 + g % 1000, 'filled', 0.001, 0, 60000 + g % 1000, 0.001 * (60000 + g % 1000)
           from history returning id
       )
       insert into atrium.order_events (tenant_id, order_id, seq, status, event)
       select $1, id, s, (array['pending-new', 'new', 'filled'])[s], '{"type": "history"}' from orders, generate_series(1, 3) s`,
      [trader.tenantId, trader.accountId, String(i), HISTORY],
    );
    // Their audit trail too, sealed into the chain before the load starts.
    await admin.unsafe(
      `insert into atrium.audit_events (tenant_id, id, tx_id, occurred_at, actor_type, actor_id, action, object_type, object_id, after)
       select $1, id, '0', now(), 'system', 'bench-history', 'order.placed', 'order', id::text, '{"history": true}'
         from atrium.orders where tenant_id = $1 and client_order_id like 'h%' order by 2`,
      [trader.tenantId],
    );
    await sealCommitted(db, trader.tenantId);
  }
  await admin.unsafe('analyze');
  if (process.env.ATRIUM_PG_STAT_STATEMENTS) {
    await admin`create extension pg_stat_statements`;
  }
  await admin.end();

  const header = [
    `CPU: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `Node.js ${process.version}, PostgreSQL ${pgVersion} (embedded, same machine), pool ${POOL_SIZE} per server`,
    `autocannon: ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per case`,
    `database: ${HISTORY.toLocaleString('en')} historical orders per order-entry tenant, then ANALYZE`,
  ];
  console.log(header.join('\n'));

  const serverEnv = {
    ...process.env,
    // Not production: the development issuer signs the bench's tokens, and it refuses to run in production.
    NODE_ENV: 'test',
    BENCH_ADMIN_URL: withSocket(pg.adminUrl, pg.socketDir),
    BENCH_APP_URL: appUrl,
    BENCH_TENANT_ID: acme,
    BENCH_POOL_SIZE: String(POOL_SIZE),
    BENCH_TRADER_TENANTS: traders.map((t) => t.tenantId).join(','),
  };
  const baselinePort = await freePort();
  const gatewayPort = await freePort();
  const noAuthPort = await freePort();
  children.push(
    await startServer('baseline.ts', {
      ...serverEnv,
      BENCH_PORT: String(baselinePort),
      BENCH_TENANT_ID: acme,
      BENCH_INLINE_TENANT_ID: globex,
    }),
  );
  const baseline = `http://127.0.0.1:${baselinePort}`;
  const gateway = `http://127.0.0.1:${gatewayPort}`;
  const noAuthGateway = `http://127.0.0.1:${noAuthPort}`;
  const bearerFor = async (tenant: string) => {
    const response = await fetch(`${gateway}/realms/atrium/protocol/openid-connect/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('bench-trader:bench-secret').toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    if (!response.ok) throw new Error(`token: ${response.status} ${await response.text()}`);
    return { authorization: `Bearer ${((await response.json()) as { access_token: string }).access_token}`, 'x-bench-tenant': tenant };
  };

  const results: CaseResult[] = [];
  const measure = async (name: string, group: CaseResult['group'], options: autocannon.Options): Promise<CaseResult> => {
    await autocannon({ ...options, connections: CONNECTIONS, duration: WARMUP });
    const r = await autocannon({ ...options, connections: CONNECTIONS, duration: DURATION });
    // A case that mostly failed measured the error path, not the case: stop rather than report it.
    if (r.non2xx + r.errors > r.requests.total * 0.01) {
      throw new Error(`${name}: ${r.non2xx} non-2xx and ${r.errors} errors of ${r.requests.total} requests`);
    }
    return { name, group, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
  };
  const run = async (name: string, group: CaseResult['group'], options: autocannon.Options, baselineName?: string) => {
    if (ONLY && !ONLY.test(name) && name !== BARE) return;
    const result = { ...(await measure(name, group, options)), ...(baselineName ? { baseline: baselineName } : {}) };
    results.push(result);
    console.log(`  ${name}: ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms`);
  };

  const BARE = 'bare fastify + postgres.js PK lookup (no tenant scope)';
  await run(BARE, 'read', { url: `${baseline}/bare/accounts/${account.id}` });
  await run(
    'bare fastify + withTenant (BEGIN; set_config + select; COMMIT)',
    'read',
    { url: `${baseline}/tx/accounts/${account.id}` },
    BARE,
  );
  await run('bare fastify + readAsTenant (one statement, SQL function)', 'read', { url: `${baseline}/fn/accounts/${account.id}` }, BARE);
  // Authenticated against skipped: both gateways up, measured in alternating rounds so drift on a
  // shared 2-core machine lands on both sides alike.
  children.push(await startServer('gateway.ts', { ...serverEnv, BENCH_PORT: String(noAuthPort), BENCH_SKIP_AUTH: '1' }));
  const gatewayChild = await startServer('gateway.ts', { ...serverEnv, BENCH_PORT: String(gatewayPort) });
  children.push(gatewayChild);
  const acmeTrader = await bearerFor(acme);
  const NO_AUTH = 'gateway GET /v1/accounts/{id}, authentication skipped';
  const AUTH = 'gateway GET /v1/accounts/{id} (OIDC bearer token, jose RS256, cached)';
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const pair: Record<string, CaseResult[]> = { [NO_AUTH]: [], [AUTH]: [] };
  for (let round = 0; round < (ONLY && !ONLY.test(AUTH) ? 0 : rounds); round++) {
    // Any bearer value for the skipped side: its trusting verifier never looks at it.
    pair[NO_AUTH]?.push(
      await measure(NO_AUTH, 'read', { url: `${noAuthGateway}/v1/accounts/${account.id}`, headers: { authorization: 'Bearer skipped' } }),
    );
    pair[AUTH]?.push(await measure(AUTH, 'read', { url: `${gateway}/v1/accounts/${account.id}`, headers: acmeTrader }));
  }
  for (const [name, runs] of Object.entries(pair)) {
    if (runs.length === 0) continue;
    const merged = mergeRounds(name, runs, BARE);
    results.push(merged);
    console.log(`  ${name} (${rounds} rounds): ${Math.round(merged.rps)} req/s, p50 ${merged.p50} ms, p99 ${merged.p99} ms`);
  }
  if (pair[AUTH]?.length) {
    results.push({
      ...(results.at(-1) as CaseResult),
      name: '… the authenticated route against authentication skipped',
      baseline: NO_AUTH,
    });
  }

  let counter = 0;
  const uniqueAccount = () => JSON.stringify({ code: `B${process.pid}-${++counter}`, name: 'bench' });
  // Inline writes go to globex's chain, the gateway's to acme's: the two designs never share a chain.
  const INLINE = 'inline chain: audit hash appended in the business transaction (per-tenant lock)';
  await run(INLINE, 'write', {
    url: `${baseline}/inline-chain/accounts`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: uniqueAccount() }) }],
  });
  await run(
    'gateway POST /v1/accounts (audit event in the transaction, sealed after commit)',
    'write',
    {
      url: `${gateway}/v1/accounts`,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...acmeTrader },
      requests: [{ setupRequest: (req) => ({ ...req, body: uniqueAccount() }) }],
    },
    INLINE,
  );

  // Order entry on the paper venue: POST /v1/orders to acknowledged (the order rests; one venue call, two transactions).
  const tokens = await Promise.all(
    traders.map(async (_, i) => {
      const response = await fetch(`${gateway}/realms/atrium/protocol/openid-connect/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`bench-trader-${i}:bench-secret`).toString('base64')}`,
        },
        body: 'grant_type=client_credentials',
      });
      return ((await response.json()) as { access_token: string }).access_token;
    }),
  );
  let orderCounter = 0;
  const orderRequest = (tenants: number) => ({
    setupRequest: (req: autocannon.Request) => {
      const i = orderCounter++ % tenants;
      const trader = traders[i] as { accountId: string };
      // Bids between 50,000 and 59,999.9: they rest below the synthetic market, as most working orders do.
      const price = `${50000 + (orderCounter % 99999) / 10}`;
      return {
        ...req,
        headers: { ...req.headers, authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          accountId: trader.accountId,
          instrument: 'BTC-USD',
          venue: 'paper',
          side: 'buy',
          type: 'limit',
          timeInForce: 'GTC',
          quantity: '0.001',
          price,
        }),
      };
    },
  });
  const ENTRY_10 = 'order entry POST /v1/orders, 10 tenants';
  await run(ENTRY_10, 'orders', { url: `${gateway}/v1/orders`, method: 'POST', requests: [orderRequest(10)] }, BARE);
  await run(
    'order entry POST /v1/orders, one tenant',
    'orders',
    { url: `${gateway}/v1/orders`, method: 'POST', requests: [orderRequest(1)] },
    ENTRY_10,
  );
  // Latency under a steady offered load instead of at saturation, where 32 connections queue by
  // construction: an open-loop, paced generator (bench/src/paced.ts), rates below and at the target.
  const orderNotes: string[] = [];
  for (const rate of (process.env.BENCH_ORDER_RATES ?? '1000,1500').split(',').map(Number)) {
    const name = `order entry POST /v1/orders, 10 tenants, paced at a steady ${rate.toLocaleString('en')} orders/s`;
    if (ONLY && !ONLY.test(name)) continue;
    const next = (i: number) => {
      const t = i % 10;
      const trader = traders[t] as { accountId: string };
      return {
        headers: { authorization: `Bearer ${tokens[t]}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          accountId: trader.accountId,
          instrument: 'BTC-USD',
          venue: 'paper',
          side: 'buy',
          type: 'limit',
          timeInForce: 'GTC',
          quantity: '0.001',
          price: `${50000 + (i % 99999) / 10}`,
        }),
      };
    };
    await pacedLoad({ url: `${gateway}/v1/orders`, ratePerSecond: rate, seconds: WARMUP, next });
    // Where the CPU goes, per order: at a steady rate the machine's two cores are the budget.
    const processes = { gateway: gatewayChild.pid, generator: process.pid };
    const cpuBefore = snapshotCpu(processes);
    const paced = await pacedLoad({ url: `${gateway}/v1/orders`, ratePerSecond: rate, seconds: DURATION, next });
    const cpu = cpuPerRequest(cpuBefore, snapshotCpu(processes), paced.ok + paced.failed);
    if (cpu) orderNotes.push(`${name}: ${cpu}`);
    if (paced.failed > paced.sent * 0.01) throw new Error(`${name}: ${paced.failed} of ${paced.sent} failed`);
    results.push({
      name,
      group: 'orders',
      rps: paced.achievedPerSecond,
      p50: paced.p50,
      p99: paced.p99,
      non2xx: paced.failed,
      errors: 0,
      baseline: ENTRY_10,
    });
    console.log(
      `  ${name}: ${Math.round(paced.achievedPerSecond)} req/s, p50 ${paced.p50} ms, p99 ${paced.p99} ms, p99.9 ${paced.p999} ms, max ${paced.max} ms (generator's own event-loop lag: p99 ${paced.generatorLagP99} ms, max ${paced.generatorLagMax} ms)${cpu ? `; ${cpu}` : ''}`,
    );
  }

  // FIX (issue 6): a logged-on NewOrderSingle → ExecutionReport echo through our gateway, against a bare
  // jspurefix initiator/acceptor pair, the same jspurefix initiator driving both (bench/src/fix-echo.ts).
  const fixNotes: string[] = [];
  if (!ONLY || ONLY.test('fix echo')) {
    const fix = await benchFixEcho({
      adminUrl: pg.adminUrl,
      appUrl,
      seconds: DURATION,
      window: Number(process.env.BENCH_FIX_WINDOW ?? 32),
      rounds: Number(process.env.BENCH_FIX_ROUNDS ?? 3),
    });
    const BARE_FIX = 'fix echo: bare jspurefix initiator + acceptor (its session layer, file store)';
    for (const [name, side, baseline] of [
      [BARE_FIX, fix.bare, undefined],
      ['fix echo: jspurefix initiator + our gateway (our session layer, PostgreSQL store, API-client Logon)', fix.atrium, BARE_FIX],
    ] as const) {
      results.push({
        name,
        group: 'fix',
        rps: side.ordersPerSecond,
        p50: Number(side.p50Ms.toFixed(2)),
        p99: Number(side.p99Ms.toFixed(2)),
        non2xx: 0,
        errors: 0,
        ...(baseline ? { baseline } : {}),
      });
      console.log(
        `  ${name}: ${Math.round(side.ordersPerSecond)} orders/s, p50 ${side.p50Ms.toFixed(2)} ms, p99 ${side.p99Ms.toFixed(2)} ms`,
      );
    }
    fixNotes.push(...fix.notes);
    for (const note of fix.notes) console.log(`    ${note}`);
  }

  if (process.env.ATRIUM_PG_STAT_STATEMENTS) {
    const a = postgres(pg.adminUrl, { max: 1 });
    const top =
      await a`select calls, plans, round((total_exec_time + total_plan_time)::numeric, 1) as ms, round((total_exec_time / greatest(calls, 1))::numeric, 3) as avg,
                   round((total_plan_time / greatest(plans, 1))::numeric, 3) as plan_avg, left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 100) as q
              from pg_stat_statements order by total_exec_time + total_plan_time desc limit 30`;
    console.log('      calls plans total-ms exec-avg plan-avg query');
    for (const t of top) console.log('     ', t.calls, t.plans, t.ms, t.avg, t.plan_avg, t.q);
    await a.end();
  }
  // The matching engine alone, one thread, against the bare data-structure cost of the same flow.
  const engine = benchMatchingEngine({
    orders: ONLY && !ONLY.test('matching engine') ? 1000 : Number(process.env.BENCH_MATCHING_ORDERS ?? 1_000_000),
    seed: 42,
  });
  const engineLine = `matching engine alone (one thread, 1,000,000 seeded orders): ${Math.round(engine.ordersPerSecond)} orders/s; bare Map/array baseline ${Math.round(engine.baselineOpsPerSecond)} ops/s (${(engine.ordersPerSecond / engine.baselineOpsPerSecond).toFixed(2)}×)`;
  console.log(`  ${engineLine}`);

  // The deferred chain must still be whole after the load.
  await sealCommitted(db, acme);
  const report = await verifyAuditChain(db, acme);
  console.log(`  acme audit chain after the write load: ok=${report.ok}, sealed=${report.sealed}, unsealed=${report.unsealed}`);
  if (!report.ok) throw new Error(`audit chain broken after load: ${JSON.stringify(report.firstBreak)}`);
  await db.close();

  const table = renderTable(results);
  console.log(`\n${table}`);
  await mkdir(path.join(root, 'results'), { recursive: true });
  await writeFile(
    path.join(root, 'results', 'latest.md'),
    `# Benchmark run ${new Date().toISOString()}\n\n${header.map((l) => `- ${l}`).join('\n')}\n\n${table}\n\n${engineLine}\n\nAudit chain after write load: ok=${report.ok}, sealed=${report.sealed}\n${orderNotes.map((n) => `\n- ${n}`).join('')}\n${fixNotes.map((n) => `\n- ${n}`).join('')}\n`,
  );
  console.log(`\nwrote bench/results/latest.md`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  await pg.stop();
  await rm(dataDir, { recursive: true, force: true });
}

/** Rounds of one case: mean throughput, and the worst round's latencies. */
function mergeRounds(name: string, runs: CaseResult[], baseline: string): CaseResult {
  const first = runs[0] as CaseResult;
  return {
    ...first,
    name,
    rps: runs.reduce((sum, r) => sum + r.rps, 0) / runs.length,
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    baseline,
  };
}

function renderTable(results: CaseResult[]): string {
  const byName = new Map(results.map((r) => [r.name, r]));
  const lines = ['| case | req/s | p50 ms | p99 ms | ratio | against |', '|---|---:|---:|---:|---:|---|'];
  for (const r of results) {
    const base = r.baseline ? byName.get(r.baseline) : undefined;
    const ratio = base ? `${(r.rps / base.rps).toFixed(2)}×` : '1.00× (baseline)';
    lines.push(`| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${ratio} | ${base ? 'the first row of its group' : ''} |`);
  }
  return lines.join('\n');
}

function startServer(file: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server there, for finding where order entry spends its time.
    const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const child = fork(path.join(root, 'src', 'servers', file), { env, stdio: 'inherit', execArgv: [...process.execArgv, ...profile] });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
}

// The FIX echo alone, against its own fresh embedded PostgreSQL (durable, as in run.ts):
//   node bench/src/fix/standalone.ts
// BENCH_FIX_SECONDS (10), BENCH_FIX_WARMUP (2), BENCH_FIX_WINDOW (32), BENCH_FIX_ROUNDS (1);
// BENCH_CPU_PROF=<dir> profiles both acceptors. It prints; it never fails on speed.
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { migrate, startEmbeddedPostgres, withSocket } from '@atrium/db';
import { freePort, withCredentials } from '@atrium/db/testing';
import postgres from 'postgres';
import { benchFixEcho, type FixEchoSide } from '../fix-echo.ts';

const SECONDS = Number(process.env.BENCH_FIX_SECONDS ?? 10);
const WINDOW = Number(process.env.BENCH_FIX_WINDOW ?? 32);
const APP_PASSWORD = 'atrium-bench';

const dataDir = path.join(import.meta.dirname, '..', '..', '..', '.data', `bench-fix-pg-${process.pid}`);
const pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true });
try {
  await migrate({ adminUrl: pg.adminUrl, appPassword: APP_PASSWORD });
  const admin = postgres(pg.adminUrl, { max: 1, onnotice: () => {} });
  const [{ version }] = await admin<{ version: string }[]>`select current_setting('server_version') as version`;
  await admin.end();
  console.log(
    [
      `CPU: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      `Node.js ${process.version}, PostgreSQL ${version} (embedded, same machine, fsync on)`,
      `FIX echo: NewOrderSingle → ExecutionReport, window ${WINDOW}, ${SECONDS} s per side`,
    ].join('\n'),
  );
  const result = await benchFixEcho({
    adminUrl: pg.adminUrl,
    appUrl: withSocket(withCredentials(pg.adminUrl, 'atrium_app', APP_PASSWORD), pg.socketDir),
    seconds: SECONDS,
    window: WINDOW,
  });
  const line = (name: string, side: FixEchoSide) =>
    `| ${name} | ${Math.round(side.ordersPerSecond)} | ${side.p50Ms.toFixed(2)} | ${side.p99Ms.toFixed(2)} | ${(side.ordersPerSecond / result.bare.ordersPerSecond).toFixed(2)}× |`;
  console.log(
    [
      '',
      '| case | orders/s | p50 ms | p99 ms | ratio |',
      '|---|---:|---:|---:|---:|',
      line('bare jspurefix initiator/acceptor, file store (baseline)', result.bare),
      line('atrium FIX gateway, PostgreSQL store, API-client Logon', result.atrium),
      '',
      ...result.notes.map((note) => `- ${note}`),
    ].join('\n'),
  );
} finally {
  await pg.stop();
  await rm(dataDir, { recursive: true, force: true });
}

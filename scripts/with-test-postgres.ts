// Runs a command (the test suite) against one throwaway embedded PostgreSQL 15
// for the whole run; each test file creates and drops its own database in it.
// With ATRIUM_TEST_ADMIN_URL already set (an external server), it starts nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { startEmbeddedPostgres } from '../db/src/embedded.ts';
import { freePort, TEST_ADMIN_URL_ENV } from '../db/src/testing.ts';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: with-test-postgres.ts <command> [args...]');
  process.exit(2);
}

const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'test', TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
let stop = async () => {};
if (!env[TEST_ADMIN_URL_ENV]) {
  const dataDir = path.resolve('.data', `test-pg-${randomBytes(4).toString('hex')}`);
  const started = Date.now();
  const cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true, unsafeFast: true });
  console.log(`test PostgreSQL 15 ready on port ${cluster.port} in ${Date.now() - started} ms`);
  env[TEST_ADMIN_URL_ENV] = cluster.adminUrl;
  stop = async () => {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

// Output passes through; node:test's per-package summaries are added up into one closing line.
const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'inherit'], env });
const totals = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
const SUMMARY = /ℹ (pass|fail|cancelled|skipped|todo) (\d+)\s*$/;
let pending = '';
child.stdout.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  pending += chunk.toString('utf8');
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const match = SUMMARY.exec(line);
    if (match) totals[match[1] as keyof typeof totals] += Number(match[2]);
  }
});
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code: number = await new Promise((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
await stop();
// A cancelled test (its file died) is a failure too.
const failed = totals.fail + totals.cancelled;
console.log(`\n${totals.pass} passed, ${failed} failed, ${totals.skipped + totals.todo} skipped`);
process.exit(code === 0 && failed > 0 ? 1 : code);

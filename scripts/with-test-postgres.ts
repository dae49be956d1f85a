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

const child = spawn(command, args, { stdio: 'inherit', env });
const forward = (signal: NodeJS.Signals) => child.kill(signal);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code: number = await new Promise((resolve) => child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))));
await stop();
process.exit(code);

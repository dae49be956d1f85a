import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort } from '@atrium/db/testing';
import postgres from 'postgres';
import request from 'supertest';

const START = path.join(import.meta.dirname, '..', 'src', 'start.ts');

/** mkdtemp makes 0700 dirs; when tests run as root, PostgreSQL runs as `postgres` and must reach its data. */
async function makeDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'atrium-start-'));
  await chmod(dir, 0o755);
  return dir;
}

/** What the README's curl does: a client-credentials token from the development issuer. */
async function devToken(base: string, clientId: string): Promise<string> {
  const response = await request(base)
    .post('/realms/atrium/protocol/openid-connect/token')
    .auth(clientId, 'dev-secret')
    .type('form')
    .send({ grant_type: 'client_credentials' })
    .expect(200);
  return response.body.access_token;
}

/** A spawned `npm start`: its exit, once its output pipes have drained too, and what it printed. */
interface Started {
  child: ChildProcess;
  closed: Promise<number | null>;
  output(): string;
}

/** Polls /health/ready; gives up at the deadline, or at once if the server has already ended (by exit or signal). */
async function waitForReady(base: string, deadline: number, started?: Started): Promise<void> {
  while (Date.now() < deadline) {
    if (started && (started.child.exitCode !== null || started.child.signalCode !== null)) {
      await started.closed; // stderr drained: its last lines are usually the reason
      throw new Error(`npm start ended (${started.child.exitCode ?? started.child.signalCode}) before it was ready:\n${started.output()}`);
    }
    try {
      const response = await fetch(`${base}/health/ready`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not ready within 30 s:\n${started?.output() ?? ''}`);
}

/** Spawns `npm start`'s entry point with `env`, keeping what it prints. */
function startAtrium(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [START], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, closed, output: () => output };
}

test('npm start on embedded defaults serves the seeded demo tenants and shuts down cleanly on SIGINT', async () => {
  const dataDir = await makeDataDir();
  const port = await freePort();
  const pgPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), ATRIUM_DATA_DIR: dataDir, ATRIUM_EMBEDDED_PG_PORT: String(pgPort) };
  delete env.NODE_ENV;
  delete env.DATABASE_URL;
  delete env.DATABASE_ADMIN_URL;
  const started = startAtrium(env);
  const { child, closed: exited } = started;
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForReady(base, Date.now() + 30_000, started);

    const accounts = await request(base)
      .get('/v1/accounts')
      .set('authorization', `Bearer ${await devToken(base, 'acme-trader')}`)
      .expect(200);
    assert.deepEqual(accounts.body.items.map((a: { code: string }) => a.code).sort(), ['ACME-HEDGE', 'ACME-MAIN']);
    const globex = await request(base)
      .get('/v1/tenant')
      .set('authorization', `Bearer ${await devToken(base, 'globex-trader')}`)
      .expect(200);
    assert.equal(globex.body.slug, 'globex');
    const docs = await request(base).get('/docs/json').expect(200);
    assert.equal(docs.body.openapi, '3.1.0');
    const live = await request(base).get('/health/live').set('x-request-id', 'probe-1').expect(200);
    assert.equal(live.headers['x-request-id'], 'probe-1');

    child.kill('SIGINT');
    assert.equal(await exited, 0, started.output());
    // The embedded PostgreSQL went down with it.
    const probe = postgres(`postgres://postgres:atrium-embedded@127.0.0.1:${pgPort}/postgres`, { max: 1, connect_timeout: 2 });
    await assert.rejects(probe`select 1`, /ECONNREFUSED|connect/);
    await probe.end();
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a second start on the same data directory re-applies nothing and seeds nothing twice', async () => {
  const dataDir = await makeDataDir();
  const pgPort = await freePort();
  try {
    for (let run = 0; run < 2; run++) {
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PORT: String(port),
        ATRIUM_DATA_DIR: dataDir,
        ATRIUM_EMBEDDED_PG_PORT: String(pgPort),
      };
      delete env.NODE_ENV;
      const started = startAtrium(env);
      const { child, closed: exited } = started;
      let passed = false;
      try {
        await waitForReady(`http://127.0.0.1:${port}`, Date.now() + 30_000, started);
        const base = `http://127.0.0.1:${port}`;
        const accounts = await request(base)
          .get('/v1/accounts')
          .set('authorization', `Bearer ${await devToken(base, 'globex-trader')}`)
          .expect(200);
        assert.equal(accounts.body.items.length, 2, `run ${run}`);
        passed = true;
      } finally {
        child.kill('SIGINT');
        const code = await exited;
        // After a failure above, that failure (with its output) is the report; this would only replace it.
        if (passed) assert.equal(code, 0, `run ${run}:\n${started.output()}`);
      }
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('with DATABASE_URL and DATABASE_ADMIN_URL it uses that server instead, and the migrate CLI agrees', async (ctx) => {
  const { createTestDatabase } = await import('@atrium/db/testing');
  const external = await createTestDatabase();
  ctx.after(() => external.drop());
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    DATABASE_URL: external.appUrl,
    DATABASE_ADMIN_URL: external.adminUrl,
    ATRIUM_DATA_DIR: path.join(tmpdir(), 'atrium-unused-data-dir'),
  };
  const child = spawn(process.execPath, [START], { env, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitForReady(`http://127.0.0.1:${port}`, Date.now() + 30_000);
    const base = `http://127.0.0.1:${port}`;
    const tenant = await request(base)
      .get('/v1/tenant')
      .set('authorization', `Bearer ${await devToken(base, 'acme-admin')}`)
      .expect(200);
    assert.equal(tenant.body.name, 'Acme Capital');
  } finally {
    child.kill('SIGINT');
    assert.equal(await exited, 0);
  }
  const [seeded] = await external.admin`select count(*)::int as n from tenants where slug in ('acme', 'globex')`;
  assert.equal(seeded?.n, 2, 'seeded into the external database');

  const cli = spawn(process.execPath, [path.join(import.meta.dirname, '..', '..', 'db', 'src', 'cli', 'migrate.ts')], {
    env: { ...process.env, DATABASE_ADMIN_URL: external.adminUrl, DATABASE_URL: external.appUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  cli.stdout.on('data', (chunk) => {
    out += chunk;
  });
  assert.equal(await new Promise((resolve) => cli.on('exit', resolve)), 0);
  assert.match(out, /schema up to date/);
});

// The embedded server's Unix socket, and libpq's `?host=/dir` form of a URL for it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { connectPostgres, type RunningPostgres, socketDirFor, startEmbeddedPostgres, withSocket } from '../src/index.ts';
import { freePort } from '../src/testing.ts';

let cluster: RunningPostgres;
const dataDir = path.join(tmpdir(), `atrium-sock-${randomBytes(4).toString('hex')}`);

before(async () => {
  cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true, unsafeFast: true });
});
after(async () => {
  await cluster.stop();
  await rm(dataDir, { recursive: true, force: true });
});

test('the embedded server listens on a Unix socket in its data directory, and a ?host= URL reaches it', async () => {
  assert.equal(cluster.socketDir, dataDir);
  const url = withSocket(cluster.adminUrl, cluster.socketDir);
  assert.equal(new URL(url).searchParams.get('host'), dataDir);
  const sql = connectPostgres(url, { max: 1, onnotice: () => {} });
  try {
    // No client address: the connection came through the socket, and `host` was not sent as a setting.
    const [row] = await sql`select inet_client_addr()::text as address, current_user as role`;
    assert.deepEqual({ ...row }, { address: null, role: 'postgres' });
  } finally {
    await sql.end();
  }
});

test('a URL without a socket directory stays on TCP', async () => {
  assert.equal(withSocket(cluster.adminUrl, null), cluster.adminUrl);
  const sql = connectPostgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select inet_client_addr()::text as address`;
    assert.equal(row?.address, '127.0.0.1/32');
  } finally {
    await sql.end();
  }
});

test('no socket when its path would not fit sun_path (107 bytes)', () => {
  const fits = `/${'d'.repeat(107 - '/.s.PGSQL.5432'.length - 1)}`;
  assert.equal(Buffer.byteLength(path.join(fits, '.s.PGSQL.5432')), 107);
  assert.equal(socketDirFor(fits, 5432), fits);
  assert.equal(socketDirFor(`${fits}x`, 5432), null);
});

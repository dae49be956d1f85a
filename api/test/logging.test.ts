import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { createTestDatabase, freePort, type TestDatabase } from '@atrium/db/testing';
import { buildApp } from '../src/app.ts';
import { clientsFor, fetchToken, seedTwoTenants } from './helpers.ts';

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(() => t.drop());

test('every log line of a request carries its request id, and the tenant id once known', async () => {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  const seeded = await seedTwoTenants(t.db, 'log');
  const a = seeded.a;
  const port = await freePort();
  const app = await buildApp({
    db: t.db,
    closeDatabase: false,
    devIssuer: { baseUrl: `http://127.0.0.1:${port}`, clients: clientsFor(seeded, 'log') },
    graphiql: false,
    sealAuditEvents: false,
    logger: { level: 'info', stream },
  });
  await app.listen({ host: '127.0.0.1', port });
  try {
    const token = await fetchToken(app, 'log-alpha-viewer');
    const response = await app.inject({
      method: 'GET',
      url: '/v1/accounts',
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'log-test-1' },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-request-id'], 'log-test-1');
    const mine = lines.filter((line) => line.requestId === 'log-test-1');
    assert.deepEqual(
      mine.map((line) => line.msg),
      ['incoming request', 'request completed'],
    );
    assert.equal(mine[1]?.tenantId, a.id, 'the completion line names the tenant');

    const unsafe = await app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'bad id\nwith newline' } });
    assert.match(String(unsafe.headers['x-request-id']), /^[0-9a-f]{8}-[0-9a-f]{4}-7/, 'an unsafe caller id is replaced by a UUIDv7');
  } finally {
    await app.close();
  }
});

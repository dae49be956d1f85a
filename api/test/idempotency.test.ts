import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildWorld, type World } from './helpers.ts';

let w: World;
before(async () => {
  w = await buildWorld({ prefix: 'idem' });
});
after(() => w.close());

const post = (headers: Record<string, string>, payload: Record<string, unknown>, key?: string) =>
  w.app.inject({ method: 'POST', url: '/v1/accounts', headers: { ...headers, ...(key ? { 'idempotency-key': key } : {}) }, payload });

async function accountsWithCode(tenantId: string, code: string): Promise<number> {
  const [row] = await w.t.admin`select count(*)::int as n from accounts where tenant_id = ${tenantId} and code = ${code}`;
  return row?.n as number;
}

test('a retry with the same key and body replays the first response byte for byte', async () => {
  const first = await post(w.tenants.a.headers, { code: 'IDEM-1', name: 'Once' }, 'retry-1');
  assert.equal(first.statusCode, 201);
  const again = await post(w.tenants.a.headers, { name: 'Once', code: 'IDEM-1' }, 'retry-1');
  assert.equal(again.statusCode, 201);
  assert.equal(again.body, first.body);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(await accountsWithCode(w.tenants.a.id, 'IDEM-1'), 1);
});

test('the same key with a different body is a 422', async () => {
  await post(w.tenants.a.headers, { code: 'IDEM-2', name: 'First' }, 'retry-2');
  const other = await post(w.tenants.a.headers, { code: 'IDEM-2B', name: 'Second' }, 'retry-2');
  assert.equal(other.statusCode, 422);
  assert.equal(other.json().code, 'API_ERR_IDEMPOTENCY_KEY_REUSED');
  assert.equal(await accountsWithCode(w.tenants.a.id, 'IDEM-2B'), 0);
});

test('concurrent duplicates create exactly one account; the others replay or get a 409', async () => {
  const responses = await Promise.all(
    Array.from({ length: 40 }, () => post(w.tenants.a.headers, { code: 'IDEM-3', name: 'Race' }, 'race-1')),
  );
  const statuses = responses.map((r) => r.statusCode);
  assert.ok(
    statuses.every((s) => s === 201 || s === 409),
    statuses.join(','),
  );
  const created = responses.filter((r) => r.statusCode === 201);
  assert.ok(created.length >= 1);
  assert.equal(new Set(created.map((r) => r.body)).size, 1, 'every 201 is the same response');
  for (const busy of responses.filter((r) => r.statusCode === 409)) assert.equal(busy.json().code, 'API_ERR_IDEMPOTENCY_IN_FLIGHT');
  assert.equal(await accountsWithCode(w.tenants.a.id, 'IDEM-3'), 1);
});

test('a key reused by another tenant never returns the first tenant’s response', async () => {
  const mine = await post(w.tenants.a.headers, { code: 'IDEM-4', name: 'Alpha' }, 'shared-key');
  const theirs = await post(w.tenants.b.headers, { code: 'IDEM-4', name: 'Alpha' }, 'shared-key');
  assert.equal(mine.statusCode, 201);
  assert.equal(theirs.statusCode, 201);
  assert.notEqual(theirs.json().id, mine.json().id);
  assert.equal(theirs.headers['idempotent-replayed'], undefined);
});

test('a refused request is replayed too, so a retry cannot change the outcome', async () => {
  const first = await post(w.tenants.a.headers, { code: 'MAIN', name: 'Duplicate code' }, 'refused-1');
  assert.equal(first.statusCode, 409);
  const again = await post(w.tenants.a.headers, { code: 'MAIN', name: 'Duplicate code' }, 'refused-1');
  assert.equal(again.statusCode, 409);
  assert.equal(again.body, first.body);
});

test('a malformed key is a 400', async () => {
  const response = await post(w.tenants.a.headers, { code: 'IDEM-5', name: 'x' }, 'has space');
  assert.equal(response.statusCode, 400);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { createReseller, createTenant } from '@atrium/tenants';
import { AccountNotFoundError, closeAccount, createAccount, getAccount, listAccounts, updateAccount } from '../src/index.ts';

let t: TestDatabase;
let a: string;
let b: string;
const CTX = { actor: { type: 'user' as const, id: 'trader-1' }, requestId: 'req-1' };

before(async () => {
  t = await createTestDatabase();
  const reseller = await t.db.withPlatform((tx) => createReseller(tx, { slug: 'rr', name: 'R' }));
  a = (await t.db.withPlatform((tx) => createTenant(tx, reseller.id, { slug: 'a-corp', name: 'A', legalName: 'A' }, CTX))).id;
  b = (await t.db.withPlatform((tx) => createTenant(tx, reseller.id, { slug: 'b-corp', name: 'B', legalName: 'B' }, CTX))).id;
});
after(() => t.drop());

test('the same account code may exist once in each tenant', async () => {
  const inA = await t.db.withTenant(a, (tx) => createAccount(tx, { code: 'MAIN', name: 'A main' }, CTX));
  const inB = await t.db.withTenant(b, (tx) => createAccount(tx, { code: 'MAIN', name: 'B main' }, CTX));
  assert.notEqual(inA.id, inB.id);
  assert.equal((await getAccount(t.db, a, inA.id)).name, 'A main');
  await assert.rejects(getAccount(t.db, b, inA.id), AccountNotFoundError);
});

test('every change is audited in the same transaction, with request id and actor', async () => {
  const account = await t.db.withTenant(a, (tx) => createAccount(tx, { code: 'AUD', name: 'Audited' }, CTX));
  await t.db.withTenant(a, (tx) => updateAccount(tx, account.id, { name: 'Renamed' }, CTX));
  await t.db.withTenant(a, (tx) => closeAccount(tx, account.id, CTX));
  const events = await t.admin`
    select action, actor_id, request_id, before->>'name' as before_name, after->>'name' as after_name, after->>'status' as status
      from audit_events where tenant_id = ${a} and object_id = ${account.id} order by id`;
  assert.deepEqual(
    events.map((e) => ({ ...e })),
    [
      { action: 'account.created', actor_id: 'trader-1', request_id: 'req-1', before_name: null, after_name: 'Audited', status: 'active' },
      {
        action: 'account.updated',
        actor_id: 'trader-1',
        request_id: 'req-1',
        before_name: 'Audited',
        after_name: 'Renamed',
        status: 'active',
      },
      {
        action: 'account.closed',
        actor_id: 'trader-1',
        request_id: 'req-1',
        before_name: 'Renamed',
        after_name: 'Renamed',
        status: 'closed',
      },
    ],
  );
});

test('a failed change rolls back its audit event with it', async () => {
  const count = async () => (await t.admin`select count(*)::int as n from audit_events where tenant_id = ${a}`)[0]?.n;
  const before = await count();
  await assert.rejects(
    t.db.withTenant(a, async (tx) => {
      await createAccount(tx, { code: 'GONE', name: 'Rolled back' }, CTX);
      throw new Error('later step failed');
    }),
    /later step failed/,
  );
  assert.equal(await count(), before);
  const page = await t.db.withTenant(a, (tx) => listAccounts(tx, { limit: 500 }));
  assert.ok(!page.items.some((account) => account.code === 'GONE'));
});

test('lists page by id with a cursor and filter by status', async () => {
  await t.db.withTenant(a, async (tx) => {
    for (let i = 0; i < 5; i++) await createAccount(tx, { code: `P${i}`, name: `Page ${i}` }, CTX);
  });
  const first = await t.db.withTenant(a, (tx) => listAccounts(tx, { limit: 3 }));
  assert.equal(first.items.length, 3);
  assert.ok(first.nextCursor);
  const second = await t.db.withTenant(a, (tx) => listAccounts(tx, { limit: 500, cursor: first.nextCursor }));
  const ids = [...first.items, ...second.items].map((x) => x.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(new Set(ids).size, ids.length);
  const closed = await t.db.withTenant(a, (tx) => listAccounts(tx, { limit: 500, status: 'closed' }));
  assert.deepEqual(
    closed.items.map((x) => x.code),
    ['AUD'],
  );
});

// postgres.js pipelines statements on a busy connection. A statement that fails while it is being
// built (an undefined parameter, a value its serializer refuses) must fail alone: in postgres.js
// 3.4.9 it stayed queued for a reply it never sent, so it took the next statement's reply and every
// statement behind it took the one after its own (porsager/postgres#1082; patched in
// patches/postgres+3.4.9.patch, applied by `npm ci`'s postinstall). On a pool connection that is
// another caller's rows, across tenants for readAsTenant. Both tests fail (hang) without the patch:
// on a pool connection, and on a transaction's reserved connection once its statements are prepared
// (an unprepared statement is described first, and nothing pipelines behind a describe).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { connectPostgres, type TenantTx } from '../src/client.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

let t: TestDatabase;

before(async () => {
  t = await createTestDatabase({ poolSize: 1 });
});
after(() => t.drop());

test('an unbuildable statement pipelined behind another fails alone; the statements around it get their own replies', {
  timeout: 10_000,
}, async () => {
  const sql = connectPostgres(t.appUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`select 1`;
    // The first is still running when the others are handed to the connection: they pipeline behind it.
    const first = sql`select pg_sleep(0.05), 'first' as who`;
    const broken = sql`select ${undefined as unknown as string} as who`;
    const third = sql`select 'third' as who`;
    const fourth = sql`select 'fourth' as who`;
    const [a, b, c, d] = await Promise.allSettled([first, broken, third, fourth]);
    assert.equal(a.status === 'fulfilled' && a.value[0]?.who, 'first');
    assert.equal(b.status, 'rejected');
    assert.match(String((b as PromiseRejectedResult).reason), /UNDEFINED_VALUE/);
    assert.equal(c.status === 'fulfilled' && c.value[0]?.who, 'third');
    assert.equal(d.status === 'fulfilled' && d.value[0]?.who, 'fourth');
    // The connection is still in step afterwards.
    assert.equal((await sql`select 'after' as who`)[0]?.who, 'after');
  } finally {
    await sql.end({ timeout: 5 });
  }
});

test('inside a tenant transaction an unbuildable statement fails alone, and no statement takes another’s reply', {
  timeout: 10_000,
}, async () => {
  const tenantId = randomUUID();
  const sleepThenScope = (tx: TenantTx) => tx`select pg_sleep(0.05), current_setting('app.tenant_id') as who`.then((r) => r[0]?.who);
  const third = (tx: TenantTx) => tx`select 'third' as who`.then((r) => r[0]?.who);
  // Once, so that the pool's one connection has the scope, the sleep and the third statement prepared.
  await t.db.withTenant(tenantId, async (tx) => Promise.all([sleepThenScope(tx), third(tx)]));
  const settled = await t.db.withTenant(tenantId, async (tx) => {
    const first = sleepThenScope(tx);
    // BEGIN and the scope answered: the sleep is the connection's active query when the others are handed to it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return Promise.allSettled([first, tx`select ${undefined as unknown as string} as who`.then((r) => r[0]?.who), third(tx)]);
  });
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason).match(/UNDEFINED_VALUE/)?.[0])),
    [tenantId, 'UNDEFINED_VALUE', 'third'],
  );
  // The pool's one connection is back in step for the next transaction.
  assert.equal(await t.db.withTenant(tenantId, async (tx) => (await tx`select current_setting('app.tenant_id') as who`)[0]?.who), tenantId);
});

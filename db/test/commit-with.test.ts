// TenantTx.commitWith: COMMIT sent behind the last writes in one pipelined write.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

const resellerId = randomUUID();
const tenantId = randomUUID();
let t: TestDatabase;

before(async () => {
  t = await createTestDatabase({ poolSize: 1 });
  await t.admin`insert into resellers (id, slug, name) values (${resellerId}, ${`r-${resellerId.slice(0, 8)}`}, 'Reseller')`;
  await t.admin`insert into tenants (id, reseller_id, slug, name, legal_name)
                values (${tenantId}, ${resellerId}, ${`t-${tenantId.slice(0, 8)}`}, 'Tenant', 'Tenant Ltd')`;
});
after(() => t.drop());

const codes = async () =>
  (await t.admin<{ code: string }[]>`select code from accounts where tenant_id = ${tenantId} order by code`).map((r) => r.code);

test('commitWith commits the statements sent before it, and afterCommit runs', async () => {
  const committed: string[] = [];
  await t.db.withTenant(tenantId, async (tx) => {
    tx.afterCommit(() => committed.push('after'));
    const sent = ['C-1', 'C-2'].map((code) =>
      tx`insert into accounts (tenant_id, id, code, name) values (${tenantId}, ${randomUUID()}, ${code}, 'n')`.execute(),
    );
    await tx.commitWith(sent);
    committed.push('committed');
  });
  assert.deepEqual(committed, ['committed', 'after']);
  assert.deepEqual(await codes(), ['C-1', 'C-2']);
});

test('a failing statement before commitWith rejects it with that failure, and nothing of the transaction stays', async () => {
  let afterCommitRan = false;
  await assert.rejects(
    t.db.withTenant(tenantId, async (tx) => {
      tx.afterCommit(() => {
        afterCommitRan = true;
      });
      const sent = [
        tx`insert into accounts (tenant_id, id, code, name) values (${tenantId}, ${randomUUID()}, 'D-1', 'n')`.execute(),
        // The code check refuses this one: the COMMIT behind it becomes a rollback.
        tx`insert into accounts (tenant_id, id, code, name) values (${tenantId}, ${randomUUID()}, 'not a code!', 'n')`.execute(),
      ];
      await tx.commitWith(sent);
    }),
    (error: Error & { code?: string }) => error.code === '23514',
  );
  assert.equal(afterCommitRan, false);
  assert.deepEqual(await codes(), ['C-1', 'C-2'], 'D-1 was rolled back with the failing insert');
  // The pool's one connection is clean again: the next transaction works.
  const [row] = await t.db.withTenant(tenantId, (tx) => tx`select count(*)::int as n from accounts`);
  assert.equal(row?.n, 2);
});

test('a transaction commits once: a second commitWith is refused', async () => {
  await assert.rejects(
    t.db.withTenant(tenantId, async (tx) => {
      await tx.commitWith([]);
      await tx.commitWith([]);
    }),
    /already committing/,
  );
});

test('a statement set off in the same turn, even through an await, still goes before the COMMIT', async () => {
  await t.db.withTenant(tenantId, async (tx) => {
    // An async writer whose statement is made only after an await: a microtask after commitWith is called.
    const late = (async () => {
      await null;
      return tx`insert into accounts (tenant_id, id, code, name) values (${tenantId}, ${randomUUID()}, 'E-1', 'n')`;
    })();
    await tx.commitWith([late]);
  });
  assert.deepEqual(await codes(), ['C-1', 'C-2', 'E-1']);
});

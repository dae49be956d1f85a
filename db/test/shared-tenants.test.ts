// withTenants: one transaction shared by several tenants, each through its own view. RLS must
// scope every statement to the tenant of the view that sent it, however the views interleave.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { TenantTx } from '../src/client.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

const resellerId = randomUUID();
const tenants = [randomUUID(), randomUUID(), randomUUID()] as const;
const [tenantA, tenantB, tenantC] = tenants;
let t: TestDatabase;

before(async () => {
  // One connection: every transaction of the file runs on the same backend, one after another.
  t = await createTestDatabase({ poolSize: 1 });
  await t.admin`insert into resellers (id, slug, name) values (${resellerId}, ${`r-${resellerId.slice(0, 8)}`}, 'Reseller')`;
  for (const [i, id] of tenants.entries()) {
    await t.admin`insert into tenants (id, reseller_id, slug, name, legal_name)
                  values (${id}, ${resellerId}, ${`t-${id.slice(0, 8)}`}, ${`Tenant ${i}`}, ${`Tenant ${i} Ltd`})`;
    await t.admin`insert into accounts (tenant_id, id, code, name) values (${id}, ${randomUUID()}, 'MAIN', ${`main of ${i}`})`;
  }
});
after(() => t.drop());

/** What one statement of a view saw: the scope it ran in and the tenants whose accounts RLS let it read. */
async function seen(tx: TenantTx): Promise<{ scope: string; visible: string[] }> {
  const [row] = await tx<{ scope: string; visible: string[] }[]>`
    select current_setting('app.tenant_id', true) as scope,
           coalesce((select array_agg(distinct tenant_id::text) from accounts), '{}') as visible`;
  return row as { scope: string; visible: string[] };
}

const codesOf = async (tenantId: string) =>
  (await t.admin<{ code: string }[]>`select code from accounts where tenant_id = ${tenantId} order by code`).map((r) => r.code);

test('statements of interleaved views each run in their own tenant’s scope, pipelined or not', async () => {
  await fc.assert(
    fc.asyncProperty(
      // Which view sends each statement, and whether the sender waits for the answer before the next.
      fc.array(fc.tuple(fc.constantFrom(0, 1, 2), fc.boolean()), { minLength: 1, maxLength: 30 }),
      async (steps) => {
        await t.db.withTenants(tenants, async (shared) => {
          const answers: Promise<void>[] = [];
          for (const [i, wait] of steps) {
            const tenantId = tenants[i] as string;
            const answer = seen(shared.tenant(tenantId)).then((s) => assert.deepEqual(s, { scope: tenantId, visible: [tenantId] }));
            answers.push(answer);
            if (wait) await answer;
          }
          await Promise.all(answers);
        });
      },
    ),
    { numRuns: 40 },
  );
});

test('a statement made after an await, while other views sent theirs, still runs in its own scope', async () => {
  await t.db.withTenants([tenantA, tenantB], async (shared) => {
    const a = shared.tenant(tenantA);
    const b = shared.tenant(tenantB);
    const late = (async () => {
      await a`select 1`;
      // B's statements went out meanwhile; A's next one must not inherit B's scope.
      return seen(a);
    })();
    const bSeen = seen(b);
    assert.deepEqual(await late, { scope: tenantA, visible: [tenantA] });
    assert.deepEqual(await bSeen, { scope: tenantB, visible: [tenantB] });
  });
});

test('unsafe statements of a view are scoped too', async () => {
  await t.db.withTenants([tenantA, tenantB], async (shared) => {
    const [b] = await shared.tenant(tenantB).unsafe("select current_setting('app.tenant_id', true) as scope");
    const [a] = await shared.tenant(tenantA).unsafe("select current_setting('app.tenant_id', true) as scope");
    assert.equal(b?.scope, tenantB);
    assert.equal(a?.scope, tenantA);
  });
});

test('a fragment runs in the scope of the statement that contains it, never of the view that made it', async () => {
  await t.db.withTenants([tenantA, tenantB], async (shared) => {
    const a = shared.tenant(tenantA);
    const b = shared.tenant(tenantB);
    const fromA = a`select tenant_id::text as tenant_id from accounts`;
    const rows = await b<{ tenant_id: string }[]>`with x as (${fromA}) select tenant_id from x`;
    assert.deepEqual(
      rows.map((r) => r.tenant_id),
      [tenantB],
    );
  });
});

test('RLS refuses a view’s write into another tenant, and the shared transaction leaves nothing of any tenant', async () => {
  await assert.rejects(
    t.db.withTenants([tenantA, tenantB], async (shared) => {
      const a = shared.tenant(tenantA);
      const b = shared.tenant(tenantB);
      const sent = [
        a`insert into accounts (tenant_id, id, code, name) values (${tenantA}, ${randomUUID()}, 'A-OK', 'n')`.execute(),
        b`insert into accounts (tenant_id, id, code, name) values (${tenantA}, ${randomUUID()}, 'B-INTO-A', 'n')`.execute(),
      ];
      await shared.commitWith(sent);
    }),
    /row-level security/,
  );
  assert.deepEqual(await codesOf(tenantA), ['MAIN']);
  assert.deepEqual(await codesOf(tenantB), ['MAIN']);
});

test('the shared transaction commits every view’s writes once, and afterCommit runs after it', async () => {
  const order: string[] = [];
  await t.db.withTenants([tenantB, tenantC], async (shared) => {
    const b = shared.tenant(tenantB);
    const c = shared.tenant(tenantC);
    b.afterCommit(() => order.push('after b'));
    shared.afterCommit(() => order.push('after shared'));
    const sent = [
      c`insert into accounts (tenant_id, id, code, name) values (${tenantC}, ${randomUUID()}, 'C-1', 'n')`.execute(),
      b`insert into accounts (tenant_id, id, code, name) values (${tenantB}, ${randomUUID()}, 'B-1', 'n')`.execute(),
      c`insert into accounts (tenant_id, id, code, name) values (${tenantC}, ${randomUUID()}, 'C-2', 'n')`.execute(),
    ];
    await assert.rejects(b.commitWith([]), /commits through SharedTenantsTx\.commitWith/);
    await shared.commitWith(sent);
    order.push('committed');
  });
  assert.deepEqual(order, ['committed', 'after b', 'after shared']);
  assert.deepEqual(await codesOf(tenantB), ['B-1', 'MAIN']);
  assert.deepEqual(await codesOf(tenantC), ['C-1', 'C-2', 'MAIN']);
});

test('a shared transaction hands out views only of the tenants it was opened for, which must be UUIDs', async () => {
  await t.db.withTenants([tenantA], async (shared) => {
    assert.equal(shared.tenant(tenantA), shared.tenant(tenantA));
    assert.equal(shared.tenant(tenantA).tenantId, tenantA);
    assert.throws(() => shared.tenant(tenantB), /not one this transaction was opened for/);
  });
  assert.throws(
    () => t.db.withTenants([tenantA, 'not-a-uuid'], async () => {}),
    (error: Error) => error.name === 'InvalidScopeError',
  );
});

test('the next transaction on the connection starts with no tenant in scope', async () => {
  await t.db.withTenants([tenantA], async (shared) => void (await seen(shared.tenant(tenantA))));
  // Same single connection; a reseller transaction sees tenants by reseller, and no tenant's accounts.
  await t.db.withReseller(resellerId, async (tx) => {
    const [row] = await tx<{ scope: string | null; accounts: number }[]>`
      select nullif(current_setting('app.tenant_id', true), '') as scope, (select count(*)::int from accounts) as accounts`;
    assert.deepEqual(row, { scope: null, accounts: 0 });
  });
});

test('a view sends nothing once its transaction has ended, committed or rolled back', async () => {
  let late: TenantTx | undefined;
  await t.db.withTenants([tenantA], async (shared) => {
    late = shared.tenant(tenantA);
    await shared.commitWith([]);
  });
  await assert.rejects((late as TenantTx)`select 1`, /the shared transaction has ended/);
  let b: TenantTx | undefined;
  await assert.rejects(
    t.db.withTenants([tenantA, tenantB], async (shared) => {
      b = shared.tenant(tenantB);
      // The transaction fails and rolls back; B, had it been awaiting something, would send its next statement now.
      await shared.tenant(tenantA)`select 1/0`;
    }),
    /division by zero/,
  );
  await assert.rejects(
    (b as TenantTx)`insert into accounts (tenant_id, id, code, name) values (${tenantB}, ${randomUUID()}, 'LATE', 'n')`,
    /the shared transaction has ended/,
  );
  assert.deepEqual(await codesOf(tenantB), ['B-1', 'MAIN']);
});

// Tenant isolation as the runtime role sees it: raw SQL against the policies,
// the readAsTenant hot path, and the pool handing connections between tenants.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import postgres from 'postgres';
import { createDatabase } from '../src/client.ts';
import { APP_SCHEMA } from '../src/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

const resellerId = randomUUID();
const tenantA = randomUUID();
const tenantB = randomUUID();
const aAccountId = randomUUID();
const aSecondAccountId = randomUUID();
const bAccountId = randomUUID();
// Both tenants use the same code: uniqueness of account codes is per tenant.
const SHARED_CODE = 'MAIN';

let t: TestDatabase;
let app: postgres.Sql;

before(async () => {
  t = await createTestDatabase();
  app = postgres(t.appUrl, { max: 1, onnotice: () => {}, connection: { search_path: APP_SCHEMA } });
  const { admin } = t;
  await admin`insert into resellers (id, slug, name) values (${resellerId}, ${`r-${resellerId.slice(0, 8)}`}, 'Reseller')`;
  for (const [id, name] of [
    [tenantA, 'Tenant A'],
    [tenantB, 'Tenant B'],
  ] as const) {
    await admin`insert into tenants (id, reseller_id, slug, name, legal_name)
                values (${id}, ${resellerId}, ${`t-${id.slice(0, 8)}`}, ${name}, ${`${name} Ltd`})`;
  }
  await admin`insert into accounts (tenant_id, id, code, name) values
    (${tenantA}, ${aAccountId}, ${SHARED_CODE}, 'A main'),
    (${tenantA}, ${aSecondAccountId}, 'SECOND', 'A second'),
    (${tenantB}, ${bAccountId}, ${SHARED_CODE}, 'B main')`;
  // Audit rows too, so that every table of the schema holds something RLS must hide.
  const eventA = randomUUID();
  await admin`insert into audit_events (tenant_id, id, actor_type, actor_id, action, object_type, object_id)
              values (${tenantA}, ${eventA}, 'system', 'seed', 'account.created', 'account', ${aAccountId})`;
  await admin`insert into audit_seals (tenant_id, seq, event_id, prev_hash, hash)
              values (${tenantA}, 1, ${eventA}, ${Buffer.alloc(32)}, ${Buffer.alloc(32, 1)})`;
});

after(async () => {
  await app?.end();
  await t?.drop();
});

class Rollback extends Error {}

/** Runs fn as the runtime role scoped to one tenant, then rolls back whatever it did. */
async function asTenantThenRollBack(tenantId: string, fn: (tx: postgres.TransactionSql) => Promise<void>): Promise<void> {
  await assert.rejects(
    app.begin(async (tx) => {
      await tx`select set_config('app.tenant_id', ${tenantId}, true)`;
      await fn(tx);
      throw new Rollback();
    }),
    Rollback,
  );
}

/** The ids of a result, as a plain array (a postgres.js Result is an Array subclass). */
function ids(rows: readonly { id?: unknown }[]): unknown[] {
  return rows.map((row) => row.id);
}

async function adminAccountName(id: string): Promise<string | undefined> {
  const [row] = await t.admin<{ name: string }[]>`select name from accounts where id = ${id}`;
  return row?.name;
}

test('a tenant cannot read another tenant’s account by id', async () => {
  await asTenantThenRollBack(tenantB, async (tx) => {
    assert.deepEqual(ids(await tx`select id from accounts where id = ${aAccountId}`), []);
    assert.deepEqual(ids(await tx`select id from accounts where tenant_id = ${tenantA}`), []);
    const own = await tx<{ id: string }[]>`select id from accounts where id = ${bAccountId}`;
    assert.deepEqual(
      own.map((row) => row.id),
      [bAccountId],
      'the same query must find the tenant’s own account',
    );
  });
});

test('a tenant’s update of another tenant’s account affects no row', async () => {
  await asTenantThenRollBack(tenantB, async (tx) => {
    const result = await tx`update accounts set name = 'hijacked' where id = ${aAccountId}`;
    assert.equal(result.count, 0);
  });
  assert.equal(await adminAccountName(aAccountId), 'A main');
  await asTenantThenRollBack(tenantA, async (tx) => {
    const result = await tx`update accounts set name = 'renamed' where id = ${aAccountId}`;
    assert.equal(result.count, 1, 'the owning tenant’s identical update must match its row');
  });
});

test('the runtime role cannot delete accounts at all, in any tenant', async () => {
  // No DELETE grant: refused before RLS is consulted, for the owner as for a stranger.
  for (const scope of [tenantB, tenantA]) {
    await assert.rejects(
      app.begin(async (tx) => {
        await tx`select set_config('app.tenant_id', ${scope}, true)`;
        await tx`delete from accounts where id = ${aAccountId}`;
      }),
      { code: '42501', message: /permission denied for table accounts/ },
    );
  }
  assert.equal(await adminAccountName(aAccountId), 'A main');
});

test('a tenant cannot move another tenant’s account into its own scope', async () => {
  await asTenantThenRollBack(tenantB, async (tx) => {
    const result = await tx`update accounts set tenant_id = ${tenantB} where id = ${aAccountId}`;
    assert.equal(result.count, 0);
  });
  await assert.rejects(
    app.begin(async (tx) => {
      await tx`select set_config('app.tenant_id', ${tenantA}, true)`;
      await tx`update accounts set tenant_id = ${tenantB} where id = ${aAccountId}`;
    }),
    { code: '42501', message: /row-level security/ },
    'even the owning tenant cannot hand a row to another tenant: WITH CHECK refuses the new row',
  );
});

test('inserting a row for another tenant violates row-level security', async () => {
  await assert.rejects(
    app.begin(async (tx) => {
      await tx`select set_config('app.tenant_id', ${tenantB}, true)`;
      await tx`insert into accounts (tenant_id, id, code, name) values (${tenantA}, ${randomUUID()}, 'FORGED', 'Forged')`;
    }),
    { code: '42501', message: /new row violates row-level security policy for table "accounts"/ },
  );
  await asTenantThenRollBack(tenantB, async (tx) => {
    const result = await tx`insert into accounts (tenant_id, id, code, name) values (${tenantB}, ${randomUUID()}, 'OWN', 'Own')`;
    assert.equal(result.count, 1, 'the same insert for the tenant’s own scope must succeed');
  });
  const [forged] = await t.admin`select count(*)::int as n from accounts where code in ('FORGED', 'OWN')`;
  assert.equal(forged?.n, 0);
});

test('account codes are unique per tenant, not across tenants', async () => {
  const rows = await t.admin<{ tenant_id: string }[]>`select tenant_id from accounts where code = ${SHARED_CODE} order by tenant_id`;
  assert.deepEqual(
    rows.map((row) => row.tenant_id),
    [tenantA, tenantB].sort(),
  );
  await assert.rejects(
    app.begin(async (tx) => {
      await tx`select set_config('app.tenant_id', ${tenantA}, true)`;
      await tx`insert into accounts (tenant_id, id, code, name) values (${tenantA}, ${randomUUID()}, ${SHARED_CODE}, 'Duplicate')`;
    }),
    { code: '23505', constraint_name: 'accounts_tenant_id_code_key' },
  );
});

test('without a scope, every table of the schema shows the runtime role no rows', async () => {
  const tables = await t.admin<{ name: string; qualified: string; rows: number }[]>`
    select c.relname as name, format('%I.%I', n.nspname, c.relname) as qualified, 0 as rows
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${APP_SCHEMA} and c.relkind in ('r', 'p', 'v', 'm', 'f') order by 1`;
  for (const table of tables) {
    const [row] = await t.admin.unsafe(`select count(*)::int as n from ${table.qualified}`);
    table.rows = row?.n ?? 0;
  }
  for (const seeded of ['accounts', 'audit_events', 'audit_seals', 'resellers', 'tenants']) {
    assert.ok((tables.find((table) => table.name === seeded)?.rows ?? 0) > 0, `the seed must leave rows in ${seeded}`);
  }

  // Unset, then set to empty strings as a pooled connection has them after a scoped transaction.
  const contexts = [{}, { 'app.tenant_id': '', 'app.reseller_id': '', 'app.scope': '' }];
  const leaks: string[] = [];
  for (const context of contexts) {
    await app.begin(async (tx) => {
      for (const [name, value] of Object.entries(context)) await tx`select set_config(${name}, ${value as string}, true)`;
      for (const table of tables) {
        const [{ privileged }] = await tx`select has_table_privilege(${table.qualified}, 'SELECT') as privileged`;
        if (!privileged) continue;
        const [row] = await tx.unsafe(`select count(*)::int as n from ${table.qualified}`);
        if (row?.n !== 0) leaks.push(`${table.name}: ${row?.n} of ${table.rows} rows visible with context ${JSON.stringify(context)}`);
      }
    });
  }
  assert.deepEqual(leaks, []);
});

test('readAsTenant finds an account only for its own tenant', async () => {
  assert.deepEqual(ids(await t.db.readAsTenant(tenantB, 'account_by_id', [aAccountId])), []);
  const own = await t.db.readAsTenant<{ id: string; tenant_id: string }>(tenantA, 'account_by_id', [aAccountId]);
  assert.deepEqual(
    own.map((row) => [row.tenant_id, row.id]),
    [[tenantA, aAccountId]],
  );
});

test('account_by_id cannot switch tenant inside another tenant’s transaction', async () => {
  await t.db.withTenant(tenantA, async (tx) => {
    assert.deepEqual(ids(await tx`select * from atrium.account_by_id(${tenantB}, ${bAccountId})`), []);
    const [scope] = await tx`select current_setting('app.tenant_id', true) as tenant`;
    assert.equal(scope?.tenant, tenantA, 'the outer tenant scope must survive the call');
    const own = await tx<{ id: string }[]>`select * from atrium.account_by_id(${tenantA}, ${aAccountId})`;
    assert.deepEqual(
      own.map((row) => row.id),
      [aAccountId],
    );
  });
});

test('account_by_id cannot enter a tenant outside the reseller’s scope', async () => {
  const otherReseller = randomUUID();
  const otherTenant = randomUUID();
  const otherAccount = randomUUID();
  await t.admin.begin(async (tx) => {
    await tx`insert into resellers (id, slug, name) values (${otherReseller}, ${`r-${otherReseller.slice(0, 8)}`}, 'Other')`;
    await tx`insert into tenants (id, reseller_id, slug, name, legal_name)
               values (${otherTenant}, ${otherReseller}, ${`t-${otherTenant.slice(0, 8)}`}, 'Other', 'Other Ltd')`;
    await tx`insert into accounts (tenant_id, id, code, name) values (${otherTenant}, ${otherAccount}, 'X', 'Other account')`;
  });
  await t.db.withReseller(resellerId, async (tx) => {
    assert.deepEqual(ids(await tx`select id from tenants where id = ${otherTenant}`), []);
    assert.deepEqual(ids(await tx`select id from atrium.account_by_id(${otherTenant}, ${otherAccount})`), []);
  });
});

test('pooled connections never carry one tenant’s scope into another’s transaction', async (ctx) => {
  // Two connections for two tenants: every connection serves both tenants many times over.
  const pooled = createDatabase({ url: t.appUrl, poolSize: 2 });
  ctx.after(() => pooled.close());
  const accounts = await t.admin<{ tenant_id: string; n: number }[]>`
    select tenant_id, count(*)::int as n from accounts where tenant_id in (${tenantA}, ${tenantB}) group by tenant_id`;
  const expected = new Map(accounts.map((row) => [row.tenant_id, row.n]));
  assert.deepEqual([expected.get(tenantA), expected.get(tenantB)], [2, 1]);

  const TRANSACTIONS = 10_000;
  const IN_FLIGHT = 8;
  const FAIL_EVERY = 97;
  class Abort extends Error {}
  const problems: string[] = [];
  let committed = 0;
  let aborted = 0;
  let next = 0;

  const runOne = async (i: number) => {
    const tenantId = i % 2 === 0 ? tenantA : tenantB;
    const work = pooled.withTenant(tenantId, async (tx) => {
      const rows = await tx<{ tenant_id: string; scope: string | null }[]>`
        select tenant_id, current_setting('app.tenant_id', true) as scope from accounts`;
      if (rows.length !== expected.get(tenantId)) problems.push(`#${i} (${tenantId}) saw ${rows.length} rows`);
      for (const row of rows) {
        if (row.tenant_id !== tenantId || row.scope !== tenantId) {
          problems.push(`#${i} (${tenantId}) saw tenant ${row.tenant_id} under scope ${row.scope}`);
        }
      }
      if (i % FAIL_EVERY === 0) throw new Abort(`#${i}`);
      return rows.length;
    });
    if (i % FAIL_EVERY === 0) {
      await assert.rejects(work, Abort);
      aborted++;
    } else {
      await work;
      committed++;
    }
  };
  const worker = async () => {
    while (next < TRANSACTIONS) await runOne(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));

  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} transactions saw the wrong tenant`);
  assert.equal(committed + aborted, TRANSACTIONS);
  assert.equal(aborted, Math.ceil(TRANSACTIONS / FAIL_EVERY));

  // Hold both connections at once, so each of them is inspected.
  let arrived = 0;
  let release: () => void = () => {};
  const bothHeld = new Promise<void>((resolve) => {
    release = resolve;
  });
  const leftovers = await Promise.all(
    [1, 2].map(() =>
      pooled.withPlatform(async (tx) => {
        const [row] = await tx<{ pid: number; tenant: string | null }[]>`
          select pg_backend_pid() as pid, current_setting('app.tenant_id', true) as tenant`;
        if (++arrived === 2) release();
        await bothHeld;
        return row;
      }),
    ),
  );
  assert.equal(new Set(leftovers.map((row) => row?.pid)).size, 2, 'expected both pooled connections');
  for (const row of leftovers) assert.ok(row?.tenant === null || row?.tenant === '', `leaked app.tenant_id ${row?.tenant}`);
});

// The catalogue test: the security posture of the schema, read from PostgreSQL's
// own catalogue so that a new table, view, function or grant is covered without
// editing this file. Each check returns its offenders; the tests expect none.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type postgres from 'postgres';
import { APP_ROLE, APP_SCHEMA, OWNER_ROLE } from '../src/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

type Tx = postgres.TransactionSql;

interface Subject {
  schema: string;
  appRole: string;
  ownerRole: string;
}

type Check = (tx: Tx, subject: Subject) => Promise<string[]>;

const ATRIUM: Subject = { schema: APP_SCHEMA, appRole: APP_ROLE, ownerRole: OWNER_ROLE };

const tablesWithoutForcedRls: Check = async (tx, { schema }) => {
  const rows = await tx<{ name: string; enabled: boolean; forced: boolean }[]>`
    select format('%I.%I', n.nspname, c.relname) as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${schema} and c.relkind in ('r', 'p')
       and not (c.relrowsecurity and c.relforcerowsecurity)
     order by 1`;
  return rows.map(
    (row) => `${row.name}: ${[!row.enabled && 'ENABLE', !row.forced && 'FORCE'].filter(Boolean).join(' and ')} ROW LEVEL SECURITY missing`,
  );
};

const tablesWithoutPolicy: Check = async (tx, { schema }) => {
  const rows = await tx<{ name: string }[]>`
    select format('%I.%I', n.nspname, c.relname) as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${schema} and c.relkind in ('r', 'p')
       and not exists (select from pg_policy p where p.polrelid = c.oid)
     order by 1`;
  return rows.map((row) => `${row.name}: no policy`);
};

const policiesWithoutRealPredicate: Check = async (tx, { schema }) => {
  const rows = await tx<{ name: string; using: string | null; check: string | null }[]>`
    select format('%I.%I policy %I', n.nspname, c.relname, p.polname) as name,
           pg_get_expr(p.polqual, p.polrelid) as using, pg_get_expr(p.polwithcheck, p.polrelid) as check
      from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${schema}
     order by 1`;
  const offenders: string[] = [];
  for (const row of rows) {
    for (const [clause, expression] of [
      ['USING', row.using],
      ['WITH CHECK', row.check],
    ] as const) {
      if (expression === null) offenders.push(`${row.name}: ${clause} missing`);
      else if (isLiterallyTrue(expression)) offenders.push(`${row.name}: ${clause} is ${expression}`);
    }
  }
  return offenders;
};

function isLiterallyTrue(expression: string): boolean {
  return expression.replace(/[\s()]/g, '').toLowerCase() === 'true';
}

const appRoleAttributes: Check = async (tx, { appRole }) => {
  const [role] = await tx<{ rolsuper: boolean; rolbypassrls: boolean; rolcreaterole: boolean }[]>`
    select rolsuper, rolbypassrls, rolcreaterole from pg_roles where rolname = ${appRole}`;
  if (!role) return [`${appRole}: role does not exist`];
  return [
    role.rolsuper && `${appRole} is SUPERUSER`,
    role.rolbypassrls && `${appRole} has BYPASSRLS`,
    // CREATEROLE may grant itself membership in the owner role.
    role.rolcreaterole && `${appRole} has CREATEROLE`,
  ].filter((offender): offender is string => typeof offender === 'string');
};

const appRoleMemberships: Check = async (tx, { appRole, ownerRole }) => {
  // Transitive membership, whether or not it is inherited: SET ROLE works either way.
  const rows = await tx<{ name: string; why: string }[]>`
    select r.rolname as name,
           concat_ws(', ',
             case when r.rolname = ${ownerRole} then 'the schema owner' end,
             case when r.rolsuper then 'superuser' end,
             case when r.rolbypassrls then 'bypasses RLS' end,
             case when r.rolcreaterole then 'creates roles' end,
             case when r.rolname in ('pg_read_all_data', 'pg_write_all_data') then 'reads or writes every table' end,
             case when exists (select from pg_shdepend d
                                where d.refclassid = 'pg_authid'::regclass and d.refobjid = r.oid and d.deptype = 'o'
                                  and d.dbid in (0, (select oid from pg_database where datname = current_database())))
                  then 'owns objects' end) as why
      from pg_roles r
     where r.rolname <> ${appRole} and pg_has_role(${appRole}, r.oid, 'MEMBER')
     order by 1`;
  return rows.filter((row) => row.why !== '').map((row) => `${appRole} is a member of ${row.name} (${row.why})`);
};

const objectsOwnedByAppRole: Check = async (tx, { appRole }) => {
  const rows = await tx<{ object: string }[]>`
    with app as (select oid from pg_roles where rolname = ${appRole}),
    owned (classid, objid) as (
      select 'pg_class'::regclass, c.oid from pg_class c, app where c.relowner = app.oid
      union select 'pg_proc'::regclass, p.oid from pg_proc p, app where p.proowner = app.oid
      union select 'pg_namespace'::regclass, n.oid from pg_namespace n, app where n.nspowner = app.oid
      union select 'pg_type'::regclass, t.oid from pg_type t, app where t.typowner = app.oid
      union select 'pg_database'::regclass, d.oid from pg_database d, app where d.datdba = app.oid and d.datname = current_database()
      union select d.classid, d.objid from pg_shdepend d, app
             where d.refclassid = 'pg_authid'::regclass and d.refobjid = app.oid and d.deptype = 'o'
               and d.dbid in (0, (select oid from pg_database where datname = current_database())))
    select distinct pg_describe_object(classid, objid, 0) as object from owned
    order by 1`;
  return rows.map((row) => `${appRole} owns ${row.object}`);
};

const viewsWithoutSecurityInvoker: Check = async (tx, { schema }) => {
  const rows = await tx<{ name: string; kind: string; options: string[] | null }[]>`
    select format('%I.%I', n.nspname, c.relname) as name, c.relkind::text as kind, c.reloptions as options
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${schema} and c.relkind in ('v', 'm')
     order by 1`;
  return rows.flatMap((row) => {
    // A materialized view holds rows computed by its owner: RLS never applies to readers.
    if (row.kind === 'm') return [`${row.name}: materialized view (cannot be security_invoker)`];
    const invoker = (row.options ?? []).some((option) => /^security_invoker=(true|on|yes|1)$/i.test(option));
    return invoker ? [] : [`${row.name}: view without security_invoker`];
  });
};

const securityDefinerFunctionsExecutableByApp: Check = async (tx, { appRole }) => {
  const rows = await tx<{ name: string }[]>`
    select p.oid::regprocedure::text as name
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')
       and has_function_privilege(${appRole}, p.oid, 'EXECUTE')
     order by 1`;
  return rows.map((row) => `${row.name}: SECURITY DEFINER and executable by ${appRole}`);
};

interface TenantOwnedTable {
  oid: string;
  name: string;
  tenant_attnum: number;
}

async function tenantOwnedTables(tx: Tx, schema: string): Promise<TenantOwnedTable[]> {
  return tx<TenantOwnedTable[]>`
    select c.oid::int8::text as oid, format('%I.%I', n.nspname, c.relname) as name, a.attnum::int as tenant_attnum
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
     where n.nspname = ${schema} and c.relkind in ('r', 'p')
     order by 2`;
}

const primaryKeysNotLedByTenant: Check = async (tx, { schema }) => {
  const offenders: string[] = [];
  for (const table of await tenantOwnedTables(tx, schema)) {
    const [pk] = await tx<{ first: number; definition: string }[]>`
      select i.indkey[0]::int as first, pg_get_indexdef(i.indexrelid) as definition
        from pg_index i where i.indrelid = ${table.oid}::oid and i.indisprimary`;
    if (!pk) offenders.push(`${table.name}: no primary key`);
    else if (pk.first !== table.tenant_attnum) offenders.push(`${table.name}: primary key does not lead with tenant_id: ${pk.definition}`);
  }
  return offenders;
};

const indexesNotLedByTenant: Check = async (tx, { schema }) => {
  const offenders: string[] = [];
  for (const table of await tenantOwnedTables(tx, schema)) {
    const rows = await tx<{ definition: string }[]>`
      select pg_get_indexdef(i.indexrelid) as definition
        from pg_index i where i.indrelid = ${table.oid}::oid and i.indkey[0] <> ${table.tenant_attnum}
       order by 1`;
    for (const row of rows) offenders.push(`${table.name}: index does not lead with tenant_id: ${row.definition}`);
  }
  return offenders;
};

const uniqueConstraintsWithoutTenant: Check = async (tx, { schema }) => {
  const offenders: string[] = [];
  for (const table of await tenantOwnedTables(tx, schema)) {
    const rows = await tx<{ name: string; definition: string }[]>`
      select conname as name, pg_get_constraintdef(oid) as definition
        from pg_constraint
       where conrelid = ${table.oid}::oid and contype in ('u', 'p') and not (${table.tenant_attnum}::int2 = any(conkey))
       order by 1`;
    for (const row of rows) offenders.push(`${table.name}: ${row.name} ${row.definition} does not include tenant_id`);
  }
  return offenders;
};

/**
 * Every tenant_id must reach the tenants table through validated foreign keys, directly or through
 * tables whose own tenant_id does: a key counts when it maps tenant_id onto the referenced table's
 * tenant_id (or onto tenants.id) and none of its columns can be null (or it is MATCH FULL).
 */
const tenantIdsNotReachingTenants: Check = async (tx, { schema }) => {
  const rows = await tx<{ name: string }[]>`
    with recursive tables as (
      select c.oid, format('%I.%I', n.nspname, c.relname) as name, a.attnum
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
       where n.nspname = ${schema} and c.relkind in ('r', 'p')
    ), keys as (
      select t.oid as child, k.confrelid as parent
        from tables t join pg_constraint k on k.conrelid = t.oid and k.contype = 'f' and k.convalidated
        join pg_class p on p.oid = k.confrelid
       -- MATCH SIMPLE checks no row in which one of the key's columns is null: every one must be NOT NULL.
       where (k.confmatchtype = 'f' or not exists (
               select from unnest(k.conkey) as c(child_column)
                 join pg_attribute ca on ca.attrelid = k.conrelid and ca.attnum = c.child_column
                where not ca.attnotnull))
         and exists (
         select from unnest(k.conkey, k.confkey) as m(child_column, parent_column)
           join pg_attribute pa on pa.attrelid = k.confrelid and pa.attnum = m.parent_column
          where m.child_column = t.attnum
            and (pa.attname = 'tenant_id' or (p.relname = 'tenants' and pa.attname = 'id')))
    ), reaching as (
      select keys.child from keys join pg_class p on p.oid = keys.parent
        join pg_namespace n on n.oid = p.relnamespace and n.nspname = ${schema}
       where p.relname = 'tenants'
      union
      select keys.child from keys join reaching on reaching.child = keys.parent
    )
    select name from tables where oid not in (select child from reaching) order by 1`;
  return rows.map((row) => `${row.name}: tenant_id does not reach tenants through foreign keys`);
};

let t: TestDatabase;
before(async () => {
  t = await createTestDatabase();
});
after(() => t.drop());

// An empty search_path makes the catalogue print every name schema-qualified.
function inspect(check: Check, subject: Subject = ATRIUM): Promise<string[]> {
  return t.admin.begin(async (tx) => {
    await tx`set local search_path = pg_catalog`;
    return check(tx, subject);
  });
}

async function assertNoOffenders(check: Check, rule: string): Promise<void> {
  const offenders = await inspect(check);
  assert.deepEqual(offenders, [], `${rule}; offenders:\n  ${offenders.join('\n  ')}`);
}

test('the catalogue holds the tables these checks are meant to cover', async () => {
  const rows = await t.admin<{ name: string }[]>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${APP_SCHEMA} and c.relkind = 'r' order by 1`;
  const names = rows.map((row) => row.name);
  for (const expected of ['accounts', 'audit_events', 'audit_seals', 'resellers', 'tenants']) {
    assert.ok(names.includes(expected), `${APP_SCHEMA}.${expected} missing from ${names.join(', ')}`);
  }
  const tenantOwned = await t.admin.begin((tx) => tenantOwnedTables(tx, APP_SCHEMA));
  assert.ok(tenantOwned.length >= 3, 'expected accounts, audit_events and audit_seals to carry tenant_id');
});

test('every table in the app schema enables and forces row-level security', () =>
  assertNoOffenders(tablesWithoutForcedRls, 'each table needs ALTER TABLE ... ENABLE and FORCE ROW LEVEL SECURITY'));

test('every table in the app schema has a row-level security policy', () =>
  assertNoOffenders(tablesWithoutPolicy, 'each table needs a policy scoping it to a tenant, reseller or the platform'));

test('every policy has a real USING and WITH CHECK predicate', () =>
  assertNoOffenders(policiesWithoutRealPredicate, 'policies need both USING and WITH CHECK, and neither may be literally true'));

test('the runtime role is not a superuser, does not bypass RLS and cannot create roles', () =>
  assertNoOffenders(appRoleAttributes, `${APP_ROLE} must be NOSUPERUSER NOBYPASSRLS NOCREATEROLE`));

test('the runtime role is not a member of the owner or of any privileged role', () =>
  assertNoOffenders(appRoleMemberships, `${APP_ROLE} must not be able to SET ROLE to a privileged role`));

test('the runtime role owns nothing in the database', () =>
  assertNoOffenders(objectsOwnedByAppRole, `an owner may disable RLS and triggers; ${APP_ROLE} must own nothing`));

test('every view in the app schema is security_invoker', () =>
  assertNoOffenders(viewsWithoutSecurityInvoker, 'a view without security_invoker reads as its owner and bypasses RLS'));

test('the runtime role cannot execute any SECURITY DEFINER function', () =>
  assertNoOffenders(
    securityDefinerFunctionsExecutableByApp,
    `a SECURITY DEFINER function runs as its owner; REVOKE EXECUTE from PUBLIC and ${APP_ROLE}`,
  ));

test('every tenant-owned table has a primary key led by tenant_id', () =>
  assertNoOffenders(primaryKeysNotLedByTenant, 'tenant_id is the distribution column: it must lead the primary key'));

test('every index on a tenant-owned table is led by tenant_id', () =>
  assertNoOffenders(indexesNotLedByTenant, 'tenant_id is the distribution column: it must lead every index'));

test('every tenant_id reaches the tenants table through foreign keys', () =>
  assertNoOffenders(tenantIdsNotReachingTenants, 'a tenant-owned row must belong to a tenant that exists'));

test('every unique constraint on a tenant-owned table includes tenant_id', () =>
  assertNoOffenders(uniqueConstraintsWithoutTenant, 'uniqueness must be per tenant, or it leaks whether another tenant holds a value'));

// The checks above pass on a good schema; these prove each one can fail. Every
// violation is planted in a throwaway schema and throwaway roles inside a
// transaction that is rolled back.
class Rollback extends Error {}

async function offendersAfterPlanting(check: Check, plant: (tx: Tx, subject: Subject) => Promise<unknown>): Promise<string[]> {
  const suffix = randomBytes(4).toString('hex');
  const subject: Subject = { schema: `planted_${suffix}`, appRole: `planted_app_${suffix}`, ownerRole: `planted_owner_${suffix}` };
  let offenders: string[] = [];
  await assert.rejects(
    t.admin.begin(async (tx) => {
      await tx.unsafe(`create role ${subject.ownerRole} nologin`);
      await tx.unsafe(`create role ${subject.appRole} login nosuperuser nobypassrls nocreaterole`);
      await tx.unsafe(`create schema ${subject.schema} authorization ${subject.ownerRole}`);
      await tx.unsafe('set local search_path = pg_catalog');
      const clean = await check(tx, subject);
      assert.deepEqual(clean, [], 'a fresh schema and role must pass before anything is planted');
      await tx.unsafe(`set local search_path = ${subject.schema}`);
      await plant(tx, subject);
      await tx.unsafe('set local search_path = pg_catalog');
      offenders = await check(tx, subject);
      throw new Rollback();
    }),
    Rollback,
  );
  return offenders;
}

const PLANTS: { name: string; check: Check; plant: (tx: Tx, subject: Subject) => Promise<unknown>; expect: RegExp[] }[] = [
  {
    name: 'a table without FORCE, and one without either',
    check: tablesWithoutForcedRls,
    plant: (tx) =>
      tx.unsafe(`
        create table enabled_only (tenant_id uuid primary key);
        alter table enabled_only enable row level security;
        create table plain (tenant_id uuid primary key);`),
    expect: [/enabled_only: FORCE ROW LEVEL SECURITY missing/, /plain: ENABLE and FORCE ROW LEVEL SECURITY missing/],
  },
  {
    name: 'a table without a policy',
    check: tablesWithoutPolicy,
    plant: (tx) => tx.unsafe('create table plain (tenant_id uuid primary key)'),
    expect: [/plain: no policy/],
  },
  {
    name: 'policies that are true or lack a clause',
    check: policiesWithoutRealPredicate,
    plant: (tx) =>
      tx.unsafe(`
        create table scoped (tenant_id uuid primary key);
        create policy open on scoped using (true) with check ((true));
        create policy read_only on scoped for select using (tenant_id is not null);`),
    expect: [/policy open: USING is true/, /policy open: WITH CHECK is true/, /policy read_only: WITH CHECK missing/],
  },
  {
    name: 'a superuser that bypasses RLS and creates roles',
    check: appRoleAttributes,
    plant: (tx, { appRole }) => tx.unsafe(`alter role ${appRole} superuser bypassrls createrole`),
    expect: [/is SUPERUSER/, /has BYPASSRLS/, /has CREATEROLE/],
  },
  {
    name: 'membership of the owner, through an intermediate role',
    check: appRoleMemberships,
    plant: (tx, { appRole, ownerRole }) =>
      tx.unsafe(`create role planted_middle_${appRole}; grant ${ownerRole} to planted_middle_${appRole};
      grant planted_middle_${appRole} to ${appRole};`),
    expect: [/is a member of planted_owner_\w+ \(the schema owner, owns objects\)/],
  },
  {
    name: 'a table, a function and a schema owned by the runtime role',
    check: objectsOwnedByAppRole,
    plant: (tx, { appRole }) =>
      tx.unsafe(`
        create table owned (tenant_id uuid primary key);
        alter table owned owner to ${appRole};
        create function owned_fn() returns int language sql as 'select 1';
        alter function owned_fn() owner to ${appRole};
        create schema owned_${appRole} authorization ${appRole};`),
    expect: [
      /owns table planted_\w+\.owned$/,
      /owns type planted_\w+\.owned$/,
      /owns type planted_\w+\.owned\[\]$/,
      /owns index planted_\w+\.owned_pkey$/,
      /owns function planted_\w+\.owned_fn\(\)$/,
      /owns schema owned_planted_app_\w+$/,
    ],
  },
  {
    name: 'a definer view and a materialized view',
    check: viewsWithoutSecurityInvoker,
    plant: (tx) =>
      tx.unsafe(`
        create view definer_view as select 1 as one;
        create view invoker_view with (security_invoker = on) as select 1 as one;
        create materialized view snapshot as select 1 as one;`),
    expect: [/definer_view: view without security_invoker/, /snapshot: materialized view/],
  },
  {
    name: 'a SECURITY DEFINER function left executable by PUBLIC',
    check: securityDefinerFunctionsExecutableByApp,
    plant: (tx) =>
      tx.unsafe(`
        create function escalate() returns int language sql security definer as 'select 1';
        create function guarded() returns int language sql security definer as 'select 1';
        revoke all on function guarded() from public;`),
    expect: [/planted_\w+\.escalate\(\): SECURITY DEFINER/],
  },
  {
    name: 'a tenant-owned table whose primary key starts with id, and one with no key',
    check: primaryKeysNotLedByTenant,
    plant: (tx) =>
      tx.unsafe(`
        create table by_id (id uuid, tenant_id uuid, primary key (id, tenant_id));
        create table keyless (tenant_id uuid, id uuid);`),
    expect: [/by_id: primary key does not lead with tenant_id/, /keyless: no primary key/],
  },
  {
    name: 'indexes on a tenant-owned table led by another column or an expression',
    check: indexesNotLedByTenant,
    plant: (tx) =>
      tx.unsafe(`
        create table items (tenant_id uuid, id uuid, code text, primary key (tenant_id, id));
        create index items_code_idx on items (code, tenant_id);
        create index items_lower_idx on items (lower(code));
        create index items_good_idx on items (tenant_id, code);`),
    expect: [/items_code_idx/, /items_lower_idx/],
  },
  {
    name: 'a unique constraint without tenant_id',
    check: uniqueConstraintsWithoutTenant,
    plant: (tx) =>
      tx.unsafe(`
        create table items (tenant_id uuid, id uuid, code text, primary key (tenant_id, id), unique (code), unique (tenant_id, id, code));`),
    expect: [/items_code_key UNIQUE \(code\) does not include tenant_id/],
  },
  {
    name: 'tables whose tenant_id references nothing, a key mapping it onto another column, a parent that reaches nothing, a nullable key',
    check: tenantIdsNotReachingTenants,
    plant: (tx) =>
      tx.unsafe(`
        create table tenants (id uuid primary key);
        create table direct (tenant_id uuid references tenants (id), id uuid, primary key (tenant_id, id));
        create table through (tenant_id uuid, direct_id uuid, primary key (tenant_id, direct_id),
                              foreign key (tenant_id, direct_id) references direct (tenant_id, id));
        create table loose (tenant_id uuid, id uuid, primary key (tenant_id, id));
        create table crossed (tenant_id uuid, direct_id uuid, primary key (tenant_id, direct_id),
                              foreign key (direct_id, tenant_id) references direct (tenant_id, id));
        create table under_loose (tenant_id uuid, loose_id uuid, primary key (tenant_id, loose_id),
                                  foreign key (tenant_id, loose_id) references loose (tenant_id, id));
        create table optional (tenant_id uuid not null, id uuid, direct_id uuid, primary key (tenant_id, id),
                               foreign key (tenant_id, direct_id) references direct (tenant_id, id));
        create table optional_full (tenant_id uuid not null, id uuid, direct_id uuid, primary key (tenant_id, id),
                                    foreign key (tenant_id, direct_id) references direct (tenant_id, id) match full);`),
    expect: [
      /\.loose: tenant_id does not reach tenants/,
      /\.crossed: tenant_id does not reach tenants/,
      /\.under_loose: tenant_id does not reach tenants/,
      /\.optional: tenant_id does not reach tenants/,
    ],
  },
];

for (const { name, check, plant, expect } of PLANTS) {
  test(`the ${check.name} check reports ${name}`, async () => {
    const offenders = await offendersAfterPlanting(check, plant);
    assert.equal(offenders.length, expect.length, `expected exactly ${expect.length} offenders, got:\n  ${offenders.join('\n  ')}`);
    for (const pattern of expect) {
      assert.ok(
        offenders.some((offender) => pattern.test(offender)),
        `no offender matches ${pattern}:\n  ${offenders.join('\n  ')}`,
      );
    }
  });
}

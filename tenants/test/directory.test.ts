import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sealCommitted, verifyAuditChain } from '@atrium/compliance';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { createReseller, createTenant, findTenantIdBySlug, getTenant, TenantSlugTakenError } from '../src/index.ts';

let t: TestDatabase;
let resellerId: string;
const SYSTEM = { actor: { type: 'system' as const, id: 'test' } };

before(async () => {
  t = await createTestDatabase();
  resellerId = (await t.db.withPlatform((tx) => createReseller(tx, { slug: 'northwind', name: 'Northwind' }))).id;
});
after(() => t.drop());

test('creating a tenant audits it as the first event of its own chain, atomically', async () => {
  const tenant = await t.db.withPlatform((tx) =>
    createTenant(tx, resellerId, { slug: 'acme', name: 'Acme', legalName: 'Acme LLP', allowedLocales: ['en', 'de'] }, SYSTEM),
  );
  assert.equal(tenant.status, 'active');
  assert.equal(tenant.defaultLocale, 'en');
  assert.deepEqual(tenant.allowedLocales, ['en', 'de']);
  assert.equal(tenant.branding.displayName, 'Acme');

  const events = await t.admin`select action, object_id from audit_events where tenant_id = ${tenant.id}`;
  assert.deepEqual(
    events.map((e) => [e.action, e.object_id]),
    [['tenant.created', tenant.id]],
  );
  assert.equal(await sealCommitted(t.db, tenant.id), true);
  const report = await verifyAuditChain(t.db, tenant.id);
  assert.equal(report.ok, true);
  assert.equal(report.sealed, 1);
});

test('a taken slug is a TEN_ERR_SLUG_TAKEN conflict and leaves nothing behind', async () => {
  const before = await t.admin`select count(*)::int as n from tenants`;
  await assert.rejects(
    t.db.withPlatform((tx) => createTenant(tx, resellerId, { slug: 'acme', name: 'Again', legalName: 'Again' }, SYSTEM)),
    (error: unknown) => error instanceof TenantSlugTakenError && (error as { statusCode: number }).statusCode === 409,
  );
  const afterCount = await t.admin`select count(*)::int as n from tenants`;
  assert.equal(afterCount[0]?.n, before[0]?.n);
});

test('a tenant reads only itself; a reseller cannot create under another reseller', async () => {
  const acme = (await findTenantIdBySlug(t.db, 'acme')) as string;
  const globex = await t.db.withPlatform((tx) =>
    createTenant(tx, resellerId, { slug: 'globex', name: 'Globex', legalName: 'Globex AG' }, SYSTEM),
  );
  const seen = await t.db.withTenant(acme, async (tx) => ({ self: await getTenant(tx), all: await tx`select id from tenants` }));
  assert.equal(seen.self?.slug, 'acme');
  assert.deepEqual(
    seen.all.map((r) => r.id),
    [acme],
  );
  assert.notEqual(globex.id, acme);

  const other = (await t.db.withPlatform((tx) => createReseller(tx, { slug: 'contoso', name: 'Contoso' }))).id;
  await assert.rejects(
    t.db.withReseller(other, (tx) => createTenant(tx, resellerId, { slug: 'sneaky', name: 'S', legalName: 'S' }, SYSTEM)),
    (error: unknown) => (error as { code?: string }).code === '42501',
  );
  assert.equal(await findTenantIdBySlug(t.db, 'sneaky'), null);
});

import type { AuditContext } from '@atrium/compliance';
import type { Database } from '@atrium/db';
import { createReseller, createTenant, findResellerIdBySlug, findTenantIdBySlug } from '@atrium/tenants';
import { createAccount, listAccounts } from '@atrium/trading';
import type { StaticClient } from './plugins/external/dev-issuer.ts';

const SEEDER: AuditContext = { actor: { type: 'system', id: 'seed' }, requestId: null };

const DEMO = {
  reseller: { slug: 'northwind', name: 'Northwind Markets' },
  tenants: [
    {
      slug: 'acme',
      name: 'Acme Capital',
      legalName: 'Acme Capital Management LLP',
      lei: null,
      defaultLocale: 'en',
      allowedLocales: ['en', 'de'],
      accounts: [
        { code: 'ACME-MAIN', name: 'Acme main trading', baseCurrency: 'USD' },
        { code: 'ACME-HEDGE', name: 'Acme hedging', baseCurrency: 'EUR' },
      ],
    },
    {
      slug: 'globex',
      name: 'Globex Trading',
      legalName: 'Globex Trading AG',
      lei: null,
      defaultLocale: 'de',
      allowedLocales: ['de', 'en'],
      accounts: [
        { code: 'GLOBEX-PROP', name: 'Globex proprietary', baseCurrency: 'EUR' },
        { code: 'GLOBEX-MM', name: 'Globex market making', baseCurrency: 'USD' },
      ],
    },
  ],
};

export interface DemoIds {
  resellerId: string;
  tenants: Record<string, string>;
}

/** Idempotent: creates what is missing, by slug and account code, through the engines (so it is audited). */
export async function seedDemoData(db: Database): Promise<DemoIds> {
  const tenants: Record<string, string> = {};
  const resellerId = await db.withPlatform(
    async (tx) => (await findResellerIdBySlug(tx, DEMO.reseller.slug)) ?? (await createReseller(tx, DEMO.reseller)).id,
  );
  for (const { accounts, ...tenantInput } of DEMO.tenants) {
    const tenantId =
      (await findTenantIdBySlug(db, tenantInput.slug)) ??
      (await db.withPlatform((tx) => createTenant(tx, resellerId, tenantInput, SEEDER))).id;
    tenants[tenantInput.slug] = tenantId;
    await db.withTenant(tenantId, async (tx) => {
      const existing = new Set((await listAccounts(tx, { limit: 500 })).items.map((a) => a.code));
      for (const account of accounts) if (!existing.has(account.code)) await createAccount(tx, account, SEEDER);
    });
  }
  return { resellerId, tenants };
}

/** The development issuer's demo clients (secret `dev-secret`), one per tenant role, a reseller and a platform admin. */
export function demoClients(ids: DemoIds): StaticClient[] {
  const acme = ids.tenants.acme;
  const globex = ids.tenants.globex;
  const clients: StaticClient[] = [
    { clientId: 'acme-trader', secret: DEV_SECRET, tenantId: acme, roles: ['trader'] },
    { clientId: 'acme-risk', secret: DEV_SECRET, tenantId: acme, roles: ['risk-manager'] },
    { clientId: 'acme-compliance', secret: DEV_SECRET, tenantId: acme, roles: ['compliance-officer'] },
    { clientId: 'acme-admin', secret: DEV_SECRET, tenantId: acme, roles: ['tenant-admin'] },
    { clientId: 'acme-viewer', secret: DEV_SECRET, tenantId: acme, roles: ['viewer'] },
    { clientId: 'globex-trader', secret: DEV_SECRET, tenantId: globex, roles: ['trader'] },
    { clientId: 'northwind-reseller', secret: DEV_SECRET, resellerId: ids.resellerId, roles: ['reseller-admin'] },
    { clientId: 'platform-admin', secret: DEV_SECRET, roles: ['platform-admin'] },
  ];
  return clients;
}

export const DEV_SECRET = 'dev-secret';

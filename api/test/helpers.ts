import type { AuditContext } from '@atrium/compliance';
import type { Database } from '@atrium/db';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { createReseller, createTenant } from '@atrium/tenants';
import { type Account, createAccount } from '@atrium/trading';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.ts';
import { DEV_TENANT_HEADER } from '../src/plugins/app/tenant-context.ts';

export interface World {
  t: TestDatabase;
  app: FastifyInstance;
  tenants: { a: SeededTenant; b: SeededTenant };
  close(): Promise<void>;
}

export interface SeededTenant {
  id: string;
  slug: string;
  accounts: Account[];
  /** Headers that authenticate as this tenant (development header until OIDC lands). */
  headers: Record<string, string>;
}

const SYSTEM: AuditContext = { actor: { type: 'system', id: 'test' } };

/** Seeds one reseller and two tenants with two accounts each, through the engines. */
export async function seedTwoTenants(db: Database, prefix = 't'): Promise<{ a: SeededTenant; b: SeededTenant }> {
  const reseller = await db.withPlatform((tx) => createReseller(tx, { slug: `${prefix}-reseller`, name: 'Reseller' }));
  const seed = async (slug: string): Promise<SeededTenant> => {
    const tenant = await db.withPlatform((tx) => createTenant(tx, reseller.id, { slug, name: slug, legalName: `${slug} Ltd` }, SYSTEM));
    const accounts = await db.withTenant(tenant.id, async (tx) => [
      await createAccount(tx, { code: 'MAIN', name: `${slug} main` }, SYSTEM),
      await createAccount(tx, { code: 'HEDGE', name: `${slug} hedge`, baseCurrency: 'EUR' }, SYSTEM),
    ]);
    return { id: tenant.id, slug, accounts, headers: { [DEV_TENANT_HEADER]: tenant.id } };
  };
  return { a: await seed(`${prefix}-alpha`), b: await seed(`${prefix}-beta`) };
}

/** A real database, two seeded tenants and the app built on them. */
export async function buildWorld(options: { sealAuditEvents?: boolean } = {}): Promise<World> {
  const t = await createTestDatabase();
  const tenants = await seedTwoTenants(t.db);
  const app = await buildApp({
    db: t.db,
    closeDatabase: false,
    devTenantHeader: true,
    graphiql: false,
    sealAuditEvents: options.sealAuditEvents ?? false,
  });
  await app.ready();
  return {
    t,
    app,
    tenants,
    async close() {
      await app.close();
      await t.drop();
    },
  };
}

export async function graphql(app: FastifyInstance, headers: Record<string, string>, query: string, variables?: Record<string, unknown>) {
  const response = await app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables } });
  return { status: response.statusCode, body: response.json() as { data: Record<string, unknown> | null; errors?: GraphQLErrorBody[] } };
}

export interface GraphQLErrorBody {
  message: string;
  extensions: { code: string; status: number; requestId: string };
}

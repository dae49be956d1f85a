import { crc32, deflateSync } from 'node:zlib';
import type { AuditContext } from '@atrium/compliance';
import type { Database } from '@atrium/db';
import { createTestDatabase, freePort, type TestDatabase } from '@atrium/db/testing';
import { createReseller, createTenant, createTokenVerifier, type Role, TENANT_ROLES } from '@atrium/tenants';
import { type Account, createAccount, createPaperVenue } from '@atrium/trading';
import type { FastifyInstance } from 'fastify';
import type { JWK } from 'jose';
import { buildApp } from '../src/app.ts';
import type { TradingOptions } from '../src/plugins/app/trading.ts';
import type { StaticClient } from '../src/plugins/external/dev-issuer.ts';

export const TEST_SECRET = 'test-secret';

export interface World {
  t: TestDatabase;
  app: FastifyInstance;
  baseUrl: string;
  resellerId: string;
  /** Another reseller, and its tenant, that the first reseller must never see. */
  otherResellerId: string;
  foreignTenantId: string;
  prefix: string;
  tenants: { a: SeededTenant; b: SeededTenant };
  /** A fresh token from the development issuer for a static client. */
  token(clientId: string): Promise<string>;
  /** Authorization header for `role` in tenant `which` (client `<slug>-<role>`). */
  as(tenant: SeededTenant, role: Role): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface SeededTenant {
  id: string;
  slug: string;
  accounts: Account[];
  /** A tenant-admin's authorization header. */
  headers: Record<string, string>;
}

const SYSTEM: AuditContext = { actor: { type: 'system', id: 'test' } };

/** Seeds one reseller and two tenants with two accounts each, through the engines. */
export async function seedTwoTenants(db: Database, prefix = 't') {
  const reseller = await db.withPlatform((tx) => createReseller(tx, { slug: `${prefix}-reseller`, name: 'Reseller' }));
  const seed = async (slug: string) => {
    const tenant = await db.withPlatform((tx) => createTenant(tx, reseller.id, { slug, name: slug, legalName: `${slug} Ltd` }, SYSTEM));
    const accounts = await db.withTenant(tenant.id, async (tx) => [
      await createAccount(tx, { code: 'MAIN', name: `${slug} main` }, SYSTEM),
      await createAccount(tx, { code: 'HEDGE', name: `${slug} hedge`, baseCurrency: 'EUR' }, SYSTEM),
    ]);
    return { id: tenant.id, slug, accounts };
  };
  // A second reseller with a tenant of its own: what the first reseller must never see.
  const other = await db.withPlatform((tx) => createReseller(tx, { slug: `${prefix}-other`, name: 'Other reseller' }));
  const foreign = await db.withPlatform((tx) =>
    createTenant(tx, other.id, { slug: `${prefix}-foreign`, name: 'Foreign', legalName: 'Foreign Ltd' }, SYSTEM),
  );
  return {
    resellerId: reseller.id,
    otherResellerId: other.id,
    foreignTenantId: foreign.id,
    a: await seed(`${prefix}-alpha`),
    b: await seed(`${prefix}-beta`),
  };
}

/** Static clients: `<slug>-<role>` for every tenant role, a reseller admin and a platform admin. */
export function clientsFor(seeded: Awaited<ReturnType<typeof seedTwoTenants>>, prefix = 't'): StaticClient[] {
  const clients: StaticClient[] = [];
  for (const tenant of [seeded.a, seeded.b]) {
    for (const role of TENANT_ROLES)
      clients.push({ clientId: `${tenant.slug}-${role}`, secret: TEST_SECRET, tenantId: tenant.id, roles: [role] });
  }
  clients.push({ clientId: `${prefix}-reseller-admin`, secret: TEST_SECRET, resellerId: seeded.resellerId, roles: ['reseller-admin'] });
  clients.push({
    clientId: `${prefix}-other-reseller-admin`,
    secret: TEST_SECRET,
    resellerId: seeded.otherResellerId,
    roles: ['reseller-admin'],
  });
  clients.push({ clientId: `${prefix}-platform-admin`, secret: TEST_SECRET, roles: ['platform-admin'] });
  return clients;
}

export async function fetchToken(app: FastifyInstance, clientId: string, secret = TEST_SECRET): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/realms/atrium/protocol/openid-connect/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    },
    payload: 'grant_type=client_credentials',
  });
  if (response.statusCode !== 200) throw new Error(`token for ${clientId}: ${response.statusCode} ${response.body}`);
  return response.json().access_token as string;
}

/**
 * A real database, two seeded tenants, and the app with the development OIDC
 * issuer, listening on a loopback port so the verifier fetches the JWKS over HTTP.
 */
export async function buildWorld(
  options: { sealAuditEvents?: boolean; prefix?: string; keys?: JWK[]; accessTokenTtlSeconds?: number } = {},
): Promise<World> {
  const prefix = options.prefix ?? 't';
  const t = await createTestDatabase();
  const seeded = await seedTwoTenants(t.db, prefix);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const app = await buildApp({
    db: t.db,
    closeDatabase: false,
    devIssuer: {
      baseUrl,
      clients: clientsFor(seeded, prefix),
      ...(options.keys ? { keys: options.keys } : {}),
      ...(options.accessTokenTtlSeconds ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    },
    graphiql: false,
    sealAuditEvents: options.sealAuditEvents ?? false,
    // A still synthetic market and no background ticks: tests drive time themselves.
    trading: { paper: createPaperVenue({ stepIntervalMs: Number.POSITIVE_INFINITY }), tickIntervalMs: 0 },
  });
  await app.listen({ host: '127.0.0.1', port });
  const tokens = new Map<string, string>();
  const token = async (clientId: string) => {
    let value = tokens.get(clientId);
    if (!value) {
      value = await fetchToken(app, clientId);
      tokens.set(clientId, value);
    }
    return value;
  };
  const bearer = async (clientId: string) => ({ authorization: `Bearer ${await token(clientId)}` });
  const tenantOf = async (s: (typeof seeded)['a']): Promise<SeededTenant> => ({ ...s, headers: await bearer(`${s.slug}-tenant-admin`) });
  return {
    t,
    app,
    baseUrl,
    resellerId: seeded.resellerId,
    otherResellerId: seeded.otherResellerId,
    foreignTenantId: seeded.foreignTenantId,
    prefix,
    tenants: { a: await tenantOf(seeded.a), b: await tenantOf(seeded.b) },
    token,
    as: (tenant, role) => bearer(`${tenant.slug}-${role}`),
    async close() {
      await app.close();
      await t.drop();
    },
  };
}

/**
 * A second API process on the world's database, trusting the world's issuer, listening on a
 * loopback port of its own: what several replicas share must hold between it and the first.
 */
export async function secondProcess(w: World, trading: TradingOptions = {}): Promise<{ app: FastifyInstance; port: number }> {
  const port = await freePort();
  const app = await buildApp({
    db: w.t.db,
    closeDatabase: false,
    verifier: createTokenVerifier({ issuer: w.app.devIssuer?.issuer ?? '', audience: 'atrium-api' }),
    graphiql: false,
    sealAuditEvents: false,
    trading: { paper: createPaperVenue({ stepIntervalMs: Number.POSITIVE_INFINITY }), tickIntervalMs: 0, ...trading },
  });
  await app.listen({ host: '127.0.0.1', port });
  return { app, port };
}

export async function graphql(app: FastifyInstance, headers: Record<string, string>, query: string, variables?: Record<string, unknown>) {
  const response = await app.inject({ method: 'POST', url: '/graphql', headers, payload: { query, variables } });
  return { status: response.statusCode, body: response.json() as { data: Record<string, unknown> | null; errors?: GraphQLErrorBody[] } };
}

export interface GraphQLErrorBody {
  message: string;
  extensions: { code: string; status: number; requestId: string };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A real 2×2 RGBA PNG, for logo uploads. */
export function tinyPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.from([0, 255, 0, 0, 255, 0, 0, 255, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

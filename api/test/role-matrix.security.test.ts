import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { AuditContext } from '@atrium/compliance';
import { createApiClient, launchTenant, ROLES, type Role, setTenantStatus, updateManagedTenant } from '@atrium/tenants';
import { createAccount, placeOrder, storeVenueKeys } from '@atrium/trading';
import { buildSchema, Kind, type OperationDefinitionNode, parse } from 'graphql';
import WebSocket from 'ws';
import { schema } from '../src/graphql/schema.ts';
import { type Access, GRAPHQL_ACCESS, REST_ACCESS } from '../src/permissions.ts';
import { buildWorld, fetchToken, graphql, tinyPng } from './helpers.ts';

/*
 * Every REST operation and GraphQL field × every role, generated from the app's own
 * OpenAPI document and executable schema, with the expected outcome derived from
 * permissions.ts alone: a new route or field without an access rule and a sample
 * request fails here by name.
 */

// Tests are generated from the running app's routes, so the world is built before they are declared.
const w = await buildWorld();
after(() => w.close());

const SYSTEM: AuditContext = { actor: { type: 'system', id: 'role-matrix' } };
const tenantA = w.tenants.a;

// ---------------------------------------------------------------------------
// Callers
// ---------------------------------------------------------------------------

interface Caller {
  name: string;
  /** A static client of the development issuer; null sends no token. */
  clientId: string | null;
  role: Role | null;
  /** What the token carries: tenant scope needs tenant_id, reseller scope needs reseller_id. */
  tenantId: string | null;
  resellerId: string | null;
}

const tenantCaller = (role: Role): Caller => ({
  name: role,
  clientId: `${tenantA.slug}-${role}`,
  role,
  tenantId: tenantA.id,
  resellerId: null,
});

const CALLERS: readonly Caller[] = [
  tenantCaller('tenant-admin'),
  tenantCaller('trader'),
  tenantCaller('risk-manager'),
  tenantCaller('compliance-officer'),
  tenantCaller('viewer'),
  { name: 'reseller-admin', clientId: `${w.prefix}-reseller-admin`, role: 'reseller-admin', tenantId: null, resellerId: w.resellerId },
  { name: 'platform-admin', clientId: `${w.prefix}-platform-admin`, role: 'platform-admin', tenantId: null, resellerId: null },
  { name: 'no token', clientId: null, role: null, tenantId: null, resellerId: null },
];

async function headersOf(caller: Pick<Caller, 'clientId'>): Promise<Record<string, string>> {
  return caller.clientId ? { authorization: `Bearer ${await w.token(caller.clientId)}` } : {};
}

// ---------------------------------------------------------------------------
// Expected outcome, from permissions.ts only
// ---------------------------------------------------------------------------

type Expectation = { allowed: true } | { allowed: false; status: 401 | 403; code: string };

const ALLOWED: Expectation = { allowed: true };
const FORBIDDEN: Expectation = { allowed: false, status: 403, code: 'IDN_ERR_FORBIDDEN' };
const NO_TOKEN: Expectation = { allowed: false, status: 401, code: 'IDN_ERR_TOKEN_MISSING' };

function scopeFits(scope: Access['scope'], caller: Caller): boolean {
  if (scope === 'tenant') return caller.tenantId !== null;
  if (scope === 'reseller') return caller.resellerId !== null;
  return true;
}

function expectationFor(access: Access, caller: Caller): Expectation {
  if (access.scope === 'public') return ALLOWED;
  if (!caller.role) return NO_TOKEN;
  return access.roles.includes(caller.role) && scopeFits(access.scope, caller) ? ALLOWED : FORBIDDEN;
}

// ---------------------------------------------------------------------------
// Fresh objects, so that one caller's successful change does not spoil the next call
// ---------------------------------------------------------------------------

/** The caller's own tenant, where tenant-scoped samples create and find their objects. */
interface Home {
  id: string;
  slug: string;
  accountId: string;
}

let serial = 0;
const unique = (prefix: string) => `${prefix}-${++serial}`;

async function freshAccount(tenantId: string): Promise<string> {
  const account = await w.t.db.withTenant(tenantId, (tx) => createAccount(tx, { code: unique('RM'), name: 'Role matrix' }, SYSTEM));
  return account.id;
}

async function freshOrder(home: Home): Promise<string> {
  const order = await placeOrder(
    w.t.db,
    home.id,
    {
      accountId: home.accountId,
      instrument: 'BTC-USD',
      venue: 'paper',
      side: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '60000',
    },
    SYSTEM,
    w.app.orderServices,
  );
  return order.id;
}

async function freshApiClient(tenantId: string) {
  return w.t.db.withTenant(tenantId, (tx) => createApiClient(tx, { name: unique('role-matrix'), roles: ['viewer'] }, SYSTEM));
}

/** A new tenant of w.resellerId (with its first tenant-admin API client), optionally suspended. */
async function freshTenant(status: 'active' | 'suspended' = 'active') {
  const slug = unique('rm');
  return w.t.db.withReseller(w.resellerId, async (tx) => {
    const launched = await launchTenant(tx, w.resellerId, { slug, name: `Tenant ${slug}`, legalName: `Tenant ${slug} Ltd` }, SYSTEM);
    if (status === 'suspended') await setTenantStatus(tx, launched.tenant.id, 'suspended', SYSTEM);
    return launched;
  });
}

// Tenant A gets a logo so that the public logo route has something to serve.
await w.t.db.withReseller(w.resellerId, (tx) =>
  updateManagedTenant(tx, tenantA.id, { branding: { logo: { mediaType: 'image/png', bytes: tinyPng() } } }, SYSTEM),
);

const HOME_A: Home = { id: tenantA.id, slug: tenantA.slug, accountId: (tenantA.accounts[0] as { id: string }).id };

// ---------------------------------------------------------------------------
// REST samples, one per operationId
// ---------------------------------------------------------------------------

interface Sample {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  payload?: Record<string, unknown>;
}

type SampleBuilder = (home: Home) => Promise<Sample>;

const REST_SAMPLES: Readonly<Partial<Record<string, SampleBuilder>>> = {
  live: async () => ({ method: 'GET', url: '/health/live' }),
  ready: async () => ({ method: 'GET', url: '/health/ready' }),
  getBranding: async (home) => ({ method: 'GET', url: `/v1/branding?tenant=${home.slug}` }),
  getBrandingCss: async (home) => ({ method: 'GET', url: `/v1/branding.css?tenant=${home.slug}` }),
  getBrandingLogo: async (home) => ({ method: 'GET', url: `/v1/branding/logo?tenant=${home.slug}` }),

  getTenant: async () => ({ method: 'GET', url: '/v1/tenant' }),
  listAccounts: async () => ({ method: 'GET', url: '/v1/accounts' }),
  getAccount: async (home) => ({ method: 'GET', url: `/v1/accounts/${home.accountId}` }),
  createAccount: async () => ({ method: 'POST', url: '/v1/accounts', payload: { code: unique('RM'), name: 'Role matrix' } }),
  updateAccount: async (home) => ({ method: 'PATCH', url: `/v1/accounts/${await freshAccount(home.id)}`, payload: { name: 'Renamed' } }),
  closeAccount: async (home) => ({ method: 'DELETE', url: `/v1/accounts/${await freshAccount(home.id)}` }),
  placeOrder: async (home) => ({
    method: 'POST',
    url: '/v1/orders',
    payload: {
      accountId: home.accountId,
      instrument: 'BTC-USD',
      venue: 'paper',
      side: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '60000',
    },
  }),
  listOrders: async () => ({ method: 'GET', url: '/v1/orders' }),
  getOrder: async (home) => ({ method: 'GET', url: `/v1/orders/${await freshOrder(home)}` }),
  amendOrder: async (home) => ({ method: 'PATCH', url: `/v1/orders/${await freshOrder(home)}`, payload: { price: '60001' } }),
  cancelOrder: async (home) => ({ method: 'DELETE', url: `/v1/orders/${await freshOrder(home)}` }),
  cancelOrders: async (home) => ({ method: 'POST', url: '/v1/orders/cancel', payload: { accountId: await freshAccount(home.id) } }),
  getOrderBook: async () => ({ method: 'GET', url: '/v1/order-book?instrument=BTC-USD' }),
  listCandles: async () => ({ method: 'GET', url: '/v1/candles?instrument=BTC-USD&interval=1m' }),
  listExecutions: async () => ({ method: 'GET', url: '/v1/executions' }),
  listPositions: async () => ({ method: 'GET', url: '/v1/positions' }),
  getPnl: async () => ({ method: 'GET', url: '/v1/pnl' }),
  listBalances: async () => ({ method: 'GET', url: '/v1/balances' }),
  listInstruments: async () => ({ method: 'GET', url: '/v1/instruments' }),
  storeVenueKeys: async (home) => ({
    method: 'PUT',
    url: `/v1/accounts/${await freshAccount(home.id)}/venue-keys/kraken`,
    payload: { apiKey: 'role-matrix-key', secret: 'role-matrix-secret' },
  }),
  listVenueKeys: async (home) => ({ method: 'GET', url: `/v1/accounts/${home.accountId}/venue-keys` }),
  deleteVenueKeys: async (home) => {
    const accountId = await freshAccount(home.id);
    await w.t.db.withTenant(home.id, (tx) =>
      storeVenueKeys(tx, w.app.vaultMasterKey, accountId, 'kraken', { apiKey: 'role-matrix-key', secret: 'role-matrix-secret' }, SYSTEM),
    );
    return { method: 'DELETE', url: `/v1/accounts/${accountId}/venue-keys/kraken` };
  },
  listAuditEvents: async () => ({ method: 'GET', url: '/v1/audit-events' }),
  verifyAuditChain: async () => ({ method: 'GET', url: '/v1/audit-chain/verification' }),
  listApiClients: async () => ({ method: 'GET', url: '/v1/api-clients' }),
  createApiClient: async () => ({ method: 'POST', url: '/v1/api-clients', payload: { name: unique('role-matrix'), roles: ['viewer'] } }),
  revokeApiClient: async (home) => ({ method: 'DELETE', url: `/v1/api-clients/${(await freshApiClient(home.id)).client.id}` }),

  resellerListTenants: async () => ({ method: 'GET', url: '/v1/reseller/tenants' }),
  resellerCreateTenant: async () => {
    const slug = unique('rm');
    return { method: 'POST', url: '/v1/reseller/tenants', payload: { slug, name: `Tenant ${slug}`, legalName: `Tenant ${slug} Ltd` } };
  },
  resellerGetTenant: async (home) => ({ method: 'GET', url: `/v1/reseller/tenants/${home.id}` }),
  resellerUpdateTenant: async () => ({
    method: 'PATCH',
    url: `/v1/reseller/tenants/${(await freshTenant()).tenant.id}`,
    payload: { name: 'Renamed' },
  }),
  resellerSuspendTenant: async () => ({ method: 'POST', url: `/v1/reseller/tenants/${(await freshTenant()).tenant.id}/suspend` }),
  resellerReactivateTenant: async () => ({
    method: 'POST',
    url: `/v1/reseller/tenants/${(await freshTenant('suspended')).tenant.id}/reactivate`,
  }),

  adminListTenants: async () => ({ method: 'GET', url: '/v1/admin/tenants' }),
  // Another reseller's tenant: the platform sees every tenant.
  adminGetTenant: async () => ({ method: 'GET', url: `/v1/admin/tenants/${w.foreignTenantId}` }),
};

// ---------------------------------------------------------------------------
// GraphQL samples, one per Query/Mutation field
// ---------------------------------------------------------------------------

interface GraphQLSample {
  query: string;
  variables?: Record<string, unknown>;
}

type GraphQLSampleBuilder = (home: Home) => Promise<GraphQLSample>;

const GRAPHQL_SAMPLES: Readonly<Partial<Record<string, GraphQLSampleBuilder>>> = {
  'Query.tenant': async () => ({ query: '{ tenant { id slug } }' }),
  'Query.account': async (home) => ({ query: 'query ($id: ID!) { account(id: $id) { id } }', variables: { id: home.accountId } }),
  'Query.accounts': async () => ({ query: '{ accounts(first: 5) { edges { node { id } } } }' }),
  'Query.auditEvents': async () => ({ query: '{ auditEvents(first: 5) { edges { node { id action } } } }' }),
  'Query.auditChainVerification': async () => ({ query: '{ auditChainVerification { ok } }' }),
  'Mutation.createAccount': async () => ({
    query: 'mutation ($input: CreateAccountInput!) { createAccount(input: $input) { id } }',
    variables: { input: { code: unique('RM'), name: 'Role matrix' } },
  }),
  'Mutation.updateAccount': async (home) => ({
    query: 'mutation ($id: ID!) { updateAccount(id: $id, input: { name: "Renamed" }) { id name } }',
    variables: { id: await freshAccount(home.id) },
  }),
  'Mutation.closeAccount': async (home) => ({
    query: 'mutation ($id: ID!) { closeAccount(id: $id) { id status } }',
    variables: { id: await freshAccount(home.id) },
  }),
  'Query.order': async (home) => ({
    query: 'query ($id: ID!) { order(id: $id) { id status } }',
    variables: { id: await freshOrder(home) },
  }),
  'Query.orders': async () => ({ query: '{ orders(first: 5) { edges { node { id } } } }' }),
  'Query.executions': async () => ({ query: '{ executions(first: 5) { edges { node { id } } } }' }),
  'Query.positions': async () => ({ query: '{ positions { instrument quantity } }' }),
  'Query.balances': async () => ({ query: '{ balances { currency total } }' }),
  'Query.pnl': async () => ({ query: '{ pnl { reportingCurrency total { netPnl } } }' }),
  'Mutation.placeOrder': async (home) => ({
    query: 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }',
    variables: {
      input: {
        accountId: home.accountId,
        instrument: 'BTC-USD',
        venue: 'paper',
        side: 'buy',
        type: 'limit',
        timeInForce: 'GTC',
        quantity: '0.001',
        price: '60000',
      },
    },
  }),
  'Mutation.cancelOrder': async (home) => ({
    query: 'mutation ($id: ID!) { cancelOrder(id: $id) { id status } }',
    variables: { id: await freshOrder(home) },
  }),
};

// ---------------------------------------------------------------------------
// What the app declares
// ---------------------------------------------------------------------------

interface RestOperation {
  operationId: string;
  method: string;
  path: string;
  successStatus: number;
}

interface OpenApiOperation {
  operationId?: string;
  responses?: Record<string, unknown>;
}

function restOperations(): RestOperation[] {
  const doc = w.app.swagger() as unknown as { paths: Record<string, Record<string, OpenApiOperation>> };
  const operations: RestOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const success = Object.keys(operation.responses ?? {}).find((status) => status.startsWith('2'));
      operations.push({
        // An operation without an id cannot have an access rule: name it so the drift check says where.
        operationId: operation.operationId ?? `${method.toUpperCase()} ${path} (no operationId)`,
        method: method.toUpperCase(),
        path,
        successStatus: Number(success ?? 200),
      });
    }
  }
  return operations;
}

function graphqlFields(withSubscriptions = false): string[] {
  const executable = buildSchema(schema);
  const types = [executable.getQueryType(), executable.getMutationType(), withSubscriptions ? executable.getSubscriptionType() : null];
  return types.flatMap((type) => (type ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : []));
}

const OPERATIONS = restOperations();
const FIELDS = graphqlFields();

const sorted = (values: Iterable<string>) => [...values].sort();
const difference = (left: Iterable<string>, right: Iterable<string>) => {
  const exclude = new Set(right);
  return sorted([...left].filter((value) => !exclude.has(value)));
};

function assertSameSet(label: string, declared: Iterable<string>, left: string, table: Iterable<string>, right: string) {
  const missing = difference(declared, table);
  const extra = difference(table, declared);
  assert.deepEqual(
    { missing, extra },
    { missing: [], extra: [] },
    `${label}: ${missing.length ? `in ${left} but not in ${right}: ${missing.join(', ')}. ` : ''}${
      extra.length ? `in ${right} but not in ${left}: ${extra.join(', ')}.` : ''
    }`,
  );
}

/** `/v1/accounts/{id}` matches `/v1/accounts/0199…?x=1`. */
function matchesPath(template: string, url: string): boolean {
  const pathname = url.split('?', 1)[0] ?? '';
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${pattern}$`).test(pathname);
}

function outcomeLabel(expected: Expectation, success: string): string {
  return expected.allowed ? success : `${expected.status} ${expected.code}`;
}

// ---------------------------------------------------------------------------
// The declarations and the tables cannot drift apart
// ---------------------------------------------------------------------------

describe('the declarations and the tables agree', () => {
  test('the callers cover every role', () => {
    assertSameSet(
      'roles',
      ROLES,
      'ROLES',
      CALLERS.flatMap((caller) => (caller.role ? [caller.role] : [])),
      'the callers',
    );
  });

  test('the OpenAPI operations are exactly the REST_ACCESS entries', () => {
    assertSameSet(
      'REST',
      OPERATIONS.map((op) => op.operationId),
      'the OpenAPI document',
      Object.keys(REST_ACCESS),
      'REST_ACCESS',
    );
  });

  test('every OpenAPI operation has a sample request, and every sample an operation', () => {
    assertSameSet(
      'REST samples',
      OPERATIONS.map((op) => op.operationId),
      'the OpenAPI document',
      Object.keys(REST_SAMPLES),
      'REST_SAMPLES',
    );
  });

  test('the GraphQL Query and Mutation fields are exactly the GRAPHQL_ACCESS entries', () => {
    assertSameSet('GraphQL', graphqlFields(true), 'the schema', Object.keys(GRAPHQL_ACCESS), 'GRAPHQL_ACCESS');
  });

  test('every GraphQL field has a sample document, and every sample a field', () => {
    assertSameSet('GraphQL samples', FIELDS, 'the schema', Object.keys(GRAPHQL_SAMPLES), 'GRAPHQL_SAMPLES');
  });
});

// ---------------------------------------------------------------------------
// REST: every operation × every caller
// ---------------------------------------------------------------------------

for (const op of OPERATIONS) {
  describe(`${op.operationId} (${op.method} ${op.path})`, () => {
    const access = REST_ACCESS[op.operationId];
    const build = REST_SAMPLES[op.operationId];
    if (!access || !build) {
      test(`${op.operationId} has an access rule and a sample request`, () => {
        assert.fail(
          `${op.operationId}: ${access ? '' : 'no entry in REST_ACCESS (permissions.ts); '}${build ? '' : 'no sample in REST_SAMPLES'}`,
        );
      });
      return;
    }

    test(`the ${op.operationId} sample calls ${op.method} ${op.path}`, async () => {
      const sample = await build(HOME_A);
      assert.equal(sample.method, op.method);
      assert.ok(matchesPath(op.path, sample.url), `${sample.url} is not ${op.path}`);
    });

    for (const caller of CALLERS) {
      const expected = expectationFor(access, caller);
      test(`${op.operationId} as ${caller.name} → ${outcomeLabel(expected, String(op.successStatus))}`, async () => {
        const sample = await build(HOME_A);
        const response = await w.app.inject({
          method: sample.method,
          url: sample.url,
          headers: await headersOf(caller),
          ...(sample.payload ? { payload: sample.payload } : {}),
        });
        if (expected.allowed) {
          assert.equal(response.statusCode, op.successStatus, response.body);
          return;
        }
        assert.equal(response.statusCode, expected.status, response.body);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        assert.equal(response.json().code, expected.code);
      });
    }
  });
}

// ---------------------------------------------------------------------------
// GraphQL: every Query/Mutation field × every caller
// ---------------------------------------------------------------------------

/** The type and root fields a document selects, e.g. `Mutation.createAccount`. */
function rootFieldsOf(query: string): string[] {
  const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  assert.ok(operation, 'the sample has an operation');
  const type = operation.operation === 'mutation' ? 'Mutation' : 'Query';
  return operation.selectionSet.selections.map((selection) => (selection.kind === Kind.FIELD ? `${type}.${selection.name.value}` : '?'));
}

for (const field of FIELDS) {
  describe(`GraphQL ${field}`, () => {
    const access = GRAPHQL_ACCESS[field];
    const build = GRAPHQL_SAMPLES[field];
    if (!access || !build) {
      test(`${field} has an access rule and a sample document`, () => {
        assert.fail(
          `${field}: ${access ? '' : 'no entry in GRAPHQL_ACCESS (permissions.ts); '}${build ? '' : 'no sample in GRAPHQL_SAMPLES'}`,
        );
      });
      return;
    }
    const name = field.slice(field.indexOf('.') + 1);

    test(`the ${field} sample selects only ${field}`, async () => {
      assert.deepEqual(rootFieldsOf((await build(HOME_A)).query), [field]);
    });

    for (const caller of CALLERS) {
      const expected = expectationFor(access, caller);
      test(`${field} as ${caller.name} → ${outcomeLabel(expected, 'data')}`, async () => {
        const sample = await build(HOME_A);
        const { status, body } = await graphql(w.app, await headersOf(caller), sample.query, sample.variables);
        const detail = JSON.stringify(body);
        if (expected.allowed) {
          assert.equal(status, 200, detail);
          assert.deepEqual(body.errors ?? [], [], detail);
          assert.ok(body.data?.[name] != null, detail);
        } else {
          // No token is refused before the document runs (HTTP 401); a missing role fails the field (HTTP 200).
          if (expected.status === 401) assert.equal(status, 401, detail);
          assert.equal(body.errors?.[0]?.extensions.code, expected.code, detail);
          assert.equal(body.data?.[name] ?? null, null, detail);
        }
      });
    }
  });
}

// ---------------------------------------------------------------------------
// A suspended tenant: reads still work, writes are refused (the `writes` flag)
// ---------------------------------------------------------------------------

describe('a suspended tenant’s admin', async () => {
  const launched = await freshTenant();
  const suspendedHome: Home = { id: launched.tenant.id, slug: launched.tenant.slug, accountId: await freshAccount(launched.tenant.id) };
  await w.t.db.withReseller(w.resellerId, (tx) => setTenantStatus(tx, suspendedHome.id, 'suspended', SYSTEM));
  w.app.forgetTenantStatus(suspendedHome.id);
  const token = await fetchToken(w.app, launched.adminClient.clientId, launched.adminClient.clientSecret);
  const headers = { authorization: `Bearer ${token}` };
  const SUSPENDED = '403 IDN_ERR_TENANT_SUSPENDED';

  for (const op of OPERATIONS) {
    const access = REST_ACCESS[op.operationId];
    const build = REST_SAMPLES[op.operationId];
    if (!access || !build || access.scope !== 'tenant' || !access.roles.includes('tenant-admin')) continue;
    test(`${op.operationId} → ${access.writes ? SUSPENDED : op.successStatus}`, async () => {
      const sample = await build(suspendedHome);
      const response = await w.app.inject({
        method: sample.method,
        url: sample.url,
        headers,
        ...(sample.payload ? { payload: sample.payload } : {}),
      });
      if (!access.writes) {
        assert.equal(response.statusCode, op.successStatus, response.body);
        return;
      }
      assert.equal(response.statusCode, 403, response.body);
      assert.equal(response.json().code, 'IDN_ERR_TENANT_SUSPENDED');
    });
  }

  for (const field of FIELDS) {
    const access = GRAPHQL_ACCESS[field];
    const build = GRAPHQL_SAMPLES[field];
    if (!access || !build || access.scope !== 'tenant' || !access.roles.includes('tenant-admin')) continue;
    test(`GraphQL ${field} → ${access.writes ? SUSPENDED : 'data'}`, async () => {
      const sample = await build(suspendedHome);
      const { body } = await graphql(w.app, headers, sample.query, sample.variables);
      const detail = JSON.stringify(body);
      if (access.writes) assert.equal(body.errors?.[0]?.extensions.code, 'IDN_ERR_TENANT_SUSPENDED', detail);
      else assert.deepEqual(body.errors ?? [], [], detail);
    });
  }
});

// ---------------------------------------------------------------------------
// Another reseller's tenant, another tenant's client: not found, never forbidden
// ---------------------------------------------------------------------------

describe('another reseller’s tenant is not found, never forbidden', () => {
  const cases: readonly { method: Sample['method']; suffix: string; payload?: Record<string, unknown> }[] = [
    { method: 'GET', suffix: '' },
    { method: 'PATCH', suffix: '', payload: { name: 'Hijacked' } },
    { method: 'POST', suffix: '/suspend' },
    { method: 'POST', suffix: '/reactivate' },
  ];
  for (const { method, suffix, payload } of cases) {
    test(`${method} /v1/reseller/tenants/{foreign}${suffix} as reseller-admin → 404`, async () => {
      const response = await w.app.inject({
        method,
        url: `/v1/reseller/tenants/${w.foreignTenantId}${suffix}`,
        headers: await headersOf({ clientId: `${w.prefix}-reseller-admin` }),
        ...(payload ? { payload } : {}),
      });
      assert.equal(response.statusCode, 404, response.body);
      assert.equal(response.json().code, 'TEN_ERR_NOT_FOUND');
    });
  }

  test('the foreign tenant is untouched', async () => {
    const response = await w.app.inject({
      method: 'GET',
      url: `/v1/admin/tenants/${w.foreignTenantId}`,
      headers: await headersOf({ clientId: `${w.prefix}-platform-admin` }),
    });
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().status, 'active');
    assert.equal(response.json().name, 'Foreign');
  });
});

describe('another tenant’s API client is not found, never forbidden', () => {
  test('DELETE /v1/api-clients/{tenant A’s client} as t-beta tenant-admin → 404, and the client still works', async () => {
    const { client, clientSecret } = await freshApiClient(tenantA.id);
    const response = await w.app.inject({
      method: 'DELETE',
      url: `/v1/api-clients/${client.id}`,
      headers: await headersOf({ clientId: `${w.tenants.b.slug}-tenant-admin` }),
    });
    assert.equal(response.statusCode, 404, response.body);
    assert.equal(response.json().code, 'TEN_ERR_API_CLIENT_NOT_FOUND');

    const token = await fetchToken(w.app, client.clientId, clientSecret);
    const tenant = await w.app.inject({ method: 'GET', url: '/v1/tenant', headers: { authorization: `Bearer ${token}` } });
    assert.equal(tenant.statusCode, 200, tenant.body);
    assert.equal(tenant.json().id, tenantA.id);
  });
});

// ---------------------------------------------------------------------------
// Subscriptions: the token of the websocket's connection_init decides
// ---------------------------------------------------------------------------

const SUBSCRIPTION_SAMPLES: Readonly<Record<string, string>> = {
  'Subscription.orderUpdates': 'subscription { orderUpdates { id } }',
  'Subscription.executions': 'subscription { executions { id } }',
  'Subscription.orderBook': 'subscription { orderBook(instrument: "BTC-USD") { instrument } }',
};

/** Subscribes once; resolves 'accepted' when no error arrives within a moment, or the error's code. */
async function trySubscribe(token: string, query: string): Promise<string> {
  const socket = new WebSocket(`${w.baseUrl.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  try {
    return await new Promise<string>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
      socket.on('message', (raw: Buffer) => {
        const message = JSON.parse(String(raw));
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
          setTimeout(() => resolve('accepted'), 300);
        } else if (message.type === 'error') {
          resolve(String(message.payload?.[0]?.extensions?.code ?? message.payload?.[0]?.message ?? 'error'));
        } else if (message.type === 'connection_error') {
          resolve('connection refused');
        }
      });
    });
  } finally {
    socket.close();
  }
}

describe('GraphQL subscriptions', () => {
  test('every Subscription field has a sample', () => {
    const fields = graphqlFields(true).filter((field) => field.startsWith('Subscription.'));
    assertSameSet('Subscription samples', fields, 'the schema', Object.keys(SUBSCRIPTION_SAMPLES), 'SUBSCRIPTION_SAMPLES');
  });
  for (const [field, query] of Object.entries(SUBSCRIPTION_SAMPLES)) {
    const access = GRAPHQL_ACCESS[field];
    for (const role of ROLES) {
      const allowed =
        Boolean(access?.roles.includes(role)) && (access?.scope !== 'tenant' || !['reseller-admin', 'platform-admin'].includes(role));
      test(`${field} as ${role} → ${allowed ? 'accepted' : 'IDN_ERR_FORBIDDEN'}`, async () => {
        const clientId =
          role === 'reseller-admin' ? 't-reseller-admin' : role === 'platform-admin' ? 't-platform-admin' : `t-alpha-${role}`;
        const outcome = await trySubscribe(await w.token(clientId), query);
        assert.equal(outcome, allowed ? 'accepted' : 'IDN_ERR_FORBIDDEN');
      });
    }
  }
});

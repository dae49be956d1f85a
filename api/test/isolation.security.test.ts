import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildWorld, graphql, type World } from './helpers.ts';

let w: World;
before(async () => {
  w = await buildWorld();
});
after(() => w.close());

function foreignAccountId(): string {
  const id = w.tenants.a.accounts[0]?.id;
  assert.ok(id);
  return id;
}

describe('tenant B cannot reach tenant A’s account over REST', () => {
  for (const [method, payload] of [
    ['GET', undefined],
    ['PATCH', { name: 'hijacked' }],
    ['DELETE', undefined],
  ] as const) {
    test(`${method} by id is a 404, not a 403`, async () => {
      const response = await w.app.inject({
        method,
        url: `/v1/accounts/${foreignAccountId()}`,
        headers: w.tenants.b.headers,
        ...(payload ? { payload } : {}),
      });
      assert.equal(response.statusCode, 404, response.body);
      assert.equal(response.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(response.json().code, 'TRD_ERR_ACCOUNT_NOT_FOUND');
    });
  }

  test('the account is untouched and still A’s', async () => {
    const response = await w.app.inject({ method: 'GET', url: `/v1/accounts/${foreignAccountId()}`, headers: w.tenants.a.headers });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().status, 'active');
    assert.equal(response.json().name, `${w.tenants.a.slug} main`);
  });

  test('lists and the audit trail show only the caller’s rows', async () => {
    const accounts = (await w.app.inject({ method: 'GET', url: '/v1/accounts?limit=500', headers: w.tenants.b.headers })).json().items;
    const ids = new Set(accounts.map((a: { id: string }) => a.id));
    assert.deepEqual(ids, new Set(w.tenants.b.accounts.map((a) => a.id)));
    const events = (await w.app.inject({ method: 'GET', url: '/v1/audit-events?limit=500', headers: w.tenants.b.headers })).json().items;
    const aIds = new Set(w.tenants.a.accounts.map((a) => a.id));
    assert.ok(events.length > 0);
    for (const event of events) assert.ok(!aIds.has(event.objectId), `B sees A's event ${event.id}`);
  });

  test('a cursor made from A’s ids leaks nothing of A', async () => {
    const cursor = Buffer.from(foreignAccountId()).toString('base64url');
    const page = (await w.app.inject({ method: 'GET', url: `/v1/accounts?cursor=${cursor}`, headers: w.tenants.b.headers })).json();
    for (const account of page.items) assert.ok(!w.tenants.a.accounts.some((a) => a.id === account.id));
  });
});

describe('tenant B cannot reach tenant A’s account over GraphQL', () => {
  test('reading is not-found', async () => {
    const { body } = await graphql(w.app, w.tenants.b.headers, 'query ($id: ID!) { account(id: $id) { id name } }', {
      id: foreignAccountId(),
    });
    assert.equal(body.data?.account, null);
    assert.equal(body.errors?.[0]?.extensions.code, 'TRD_ERR_ACCOUNT_NOT_FOUND');
    assert.equal(body.errors?.[0]?.extensions.status, 404);
  });

  test('updating is not-found', async () => {
    const { body } = await graphql(
      w.app,
      w.tenants.b.headers,
      'mutation ($id: ID!) { updateAccount(id: $id, input: { name: "x" }) { id } }',
      {
        id: foreignAccountId(),
      },
    );
    assert.equal(body.errors?.[0]?.extensions.code, 'TRD_ERR_ACCOUNT_NOT_FOUND');
  });

  test('closing is not-found', async () => {
    const { body } = await graphql(w.app, w.tenants.b.headers, 'mutation ($id: ID!) { closeAccount(id: $id) { id } }', {
      id: foreignAccountId(),
    });
    assert.equal(body.errors?.[0]?.extensions.code, 'TRD_ERR_ACCOUNT_NOT_FOUND');
    const still = await w.app.inject({ method: 'GET', url: `/v1/accounts/${foreignAccountId()}`, headers: w.tenants.a.headers });
    assert.equal(still.json().status, 'active');
  });
});

describe('without a token', () => {
  test('every protected route is a 401 problem', async () => {
    for (const url of ['/v1/tenant', '/v1/accounts', `/v1/accounts/${foreignAccountId()}`, '/v1/audit-events']) {
      const response = await w.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 401, url);
      assert.equal(response.json().code, 'IDN_ERR_TOKEN_MISSING');
    }
    const gql = await w.app.inject({ method: 'POST', url: '/graphql', payload: { query: '{ tenant { id } }' } });
    assert.equal(gql.statusCode, 401);
  });

  test('the foundation’s development tenant header is gone', async () => {
    for (const value of [w.tenants.a.id, w.tenants.a.slug]) {
      const response = await w.app.inject({ method: 'GET', url: '/v1/tenant', headers: { 'x-atrium-dev-tenant': value } });
      assert.equal(response.statusCode, 401);
    }
  });
});

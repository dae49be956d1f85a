import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTokenVerifier } from '@atrium/tenants';
import type { LightMyRequestResponse } from 'fastify';
import { buildWorld, type World } from './helpers.ts';

let w: World;
before(async () => {
  w = await buildWorld();
});
after(() => w.close());

function assertProblem(response: LightMyRequestResponse, status: number, code: string) {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  const body = response.json();
  assert.equal(body.status, status);
  assert.equal(body.code, code);
  assert.equal(body.type, `/docs/errors/${code}`);
  assert.equal(body.requestId, response.headers['x-request-id']);
  assert.equal(typeof body.title, 'string');
  assert.equal(typeof body.detail, 'string');
  return body;
}

async function accountCount(): Promise<number> {
  const [row] = await w.t.admin`select count(*)::int as n from accounts`;
  return row?.n as number;
}

describe('malformed requests get a 4xx problem, never a 5xx, and write nothing', () => {
  const post = (payload: string, headers: Record<string, string> = {}) =>
    w.app.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: { ...w.tenants.a.headers, 'content-type': 'application/json', ...headers },
      payload,
    });

  test('malformed JSON', async () => {
    const before = await accountCount();
    for (const payload of ['{"code": "X1", "name": ', '{code: 1}', 'null', '[]', '"text"', '{"code":"X1","name":"a"}}']) {
      const response = await post(payload);
      assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${payload} -> ${response.statusCode}`);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
    }
    assertProblem(await post('{"code": "X1", "name": '), 400, 'API_ERR_MALFORMED_JSON');
    assert.equal(await accountCount(), before);
  });

  test('an empty body', async () => {
    assertProblem(await post(''), 400, 'API_ERR_MALFORMED_JSON');
  });

  test('unknown fields are refused, not dropped', async () => {
    const body = assertProblem(await post(JSON.stringify({ code: 'X2', name: 'n', tenantId: w.tenants.b.id })), 400, 'API_ERR_VALIDATION');
    assert.deepEqual(
      body.errors.map((e: { path: string }) => e.path),
      ['/tenantId'],
    );
  });

  test('wrong types are refused, not coerced', async () => {
    const body = assertProblem(await post(JSON.stringify({ code: 12345, name: true })), 400, 'API_ERR_VALIDATION');
    const paths = body.errors.map((e: { path: string }) => e.path).sort();
    assert.deepEqual(paths, ['/code', '/name']);
  });

  test('missing required fields name the field', async () => {
    const body = assertProblem(await post(JSON.stringify({ code: 'X3' })), 400, 'API_ERR_VALIDATION');
    assert.deepEqual(
      body.errors.map((e: { path: string }) => e.path),
      ['/name'],
    );
  });

  test('patterns and lengths are enforced', async () => {
    assertProblem(await post(JSON.stringify({ code: 'has space', name: 'n' })), 400, 'API_ERR_VALIDATION');
    assertProblem(await post(JSON.stringify({ code: 'X4', name: 'n'.repeat(201) })), 400, 'API_ERR_VALIDATION');
    assertProblem(await post(JSON.stringify({ code: 'X4', name: 'n', baseCurrency: 'usd' })), 400, 'API_ERR_VALIDATION');
  });

  test('an oversized body is a 413', async () => {
    const before = await accountCount();
    assertProblem(await post(JSON.stringify({ code: 'X5', name: 'x'.repeat(2 * 1024 * 1024) })), 413, 'API_ERR_BODY_TOO_LARGE');
    assert.equal(await accountCount(), before);
  });

  test('a body that is not JSON is a 415', async () => {
    assertProblem(
      await post('code=X6&name=n', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'API_ERR_UNSUPPORTED_MEDIA_TYPE',
    );
  });

  test('prototype poisoning is refused', async () => {
    const response = await post('{"code":"X7","name":"n","__proto__":{"admin":true}}');
    assert.equal(response.statusCode, 400);
  });

  test('an empty PATCH is refused', async () => {
    const id = w.tenants.a.accounts[0]?.id;
    const response = await w.app.inject({ method: 'PATCH', url: `/v1/accounts/${id}`, headers: w.tenants.a.headers, payload: {} });
    assertProblem(response, 400, 'API_ERR_VALIDATION');
  });
});

describe('bad identifiers and query strings', () => {
  for (const id of ['not-a-uuid', '123', '01a21098-d380-72ef-9a87-30324ea73ac3x', "1' or '1'='1", '%00']) {
    test(`invalid UUID ${JSON.stringify(id)} is a 400`, async () => {
      const response = await w.app.inject({ method: 'GET', url: `/v1/accounts/${encodeURIComponent(id)}`, headers: w.tenants.a.headers });
      assertProblem(response, 400, 'API_ERR_VALIDATION');
    });
  }

  test('a well-formed but unknown id is a 404', async () => {
    const response = await w.app.inject({
      method: 'GET',
      url: '/v1/accounts/01a21098-d380-72ef-9a87-30324ea73ac3',
      headers: w.tenants.a.headers,
    });
    assertProblem(response, 404, 'TRD_ERR_ACCOUNT_NOT_FOUND');
  });

  test('limit outside 1..500 is a 400', async () => {
    for (const limit of ['0', '501', 'ten', '-1', '1.5']) {
      const response = await w.app.inject({ method: 'GET', url: `/v1/accounts?limit=${limit}`, headers: w.tenants.a.headers });
      assertProblem(response, 400, 'API_ERR_VALIDATION');
    }
  });

  test('a forged cursor is a 400', async () => {
    for (const cursor of ['garbage', Buffer.from('not a uuid').toString('base64url')]) {
      const response = await w.app.inject({ method: 'GET', url: `/v1/accounts?cursor=${cursor}`, headers: w.tenants.a.headers });
      assertProblem(response, 400, 'API_ERR_INVALID_CURSOR');
    }
  });

  test('unknown query parameters are refused', async () => {
    const response = await w.app.inject({ method: 'GET', url: '/v1/accounts?tenant=other', headers: w.tenants.a.headers });
    assertProblem(response, 400, 'API_ERR_VALIDATION');
  });

  test('an unknown route is a 404 problem', async () => {
    assertProblem(
      await w.app.inject({ method: 'GET', url: '/v1/nothing-here', headers: w.tenants.a.headers }),
      404,
      'API_ERR_ROUTE_NOT_FOUND',
    );
  });
});

describe('GraphQL bad input', () => {
  test('an invalid UUID argument is a validation error with a code', async () => {
    const response = await w.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: w.tenants.a.headers,
      payload: { query: '{ account(id: "nope") { id } }' },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().errors[0].extensions.code, 'API_ERR_VALIDATION');
  });

  test('a syntax error is a 400 with a code', async () => {
    const response = await w.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: w.tenants.a.headers,
      payload: { query: '{ account(' },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().errors[0].extensions.code, 'API_ERR_GRAPHQL_VALIDATION');
  });

  test('bad mutation input is refused before the engine', async () => {
    const before = await accountCount();
    const response = await w.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: w.tenants.a.headers,
      payload: { query: 'mutation { createAccount(input: { code: "has space", name: "n" }) { id } }' },
    });
    assert.equal(response.json().errors[0].extensions.code, 'API_ERR_VALIDATION');
    assert.equal(await accountCount(), before);
  });
});

// Never reached: /boom is not behind authentication.
const stubbornVerifier = createTokenVerifier({ issuer: 'https://issuer.invalid/realms/x', audience: 'atrium-api' });

describe('server errors', () => {
  test('a 5xx hides its message but keeps the request id', async () => {
    const { buildApp } = await import('../src/app.ts');
    const app = await buildApp({ db: w.t.db, closeDatabase: false, verifier: stubbornVerifier, graphiql: false, sealAuditEvents: false });
    app.get('/boom', async () => {
      throw new Error('secret connection string postgres://user:pw@host');
    });
    try {
      const response = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'trace-123' } });
      const body = assertProblem(response, 500, 'API_ERR_INTERNAL');
      assert.equal(body.requestId, 'trace-123');
      assert.doesNotMatch(response.body, /secret|postgres:/);
    } finally {
      await app.close();
    }
  });
});

describe('API client input', () => {
  test('an allowlist entry that is not an address or a clean network is a 422, not a 500', async () => {
    for (const entry of ['10.0.0.1/8', '1.2.3.4/99', 'not-an-ip', '::1/200']) {
      const response = await w.app.inject({
        method: 'POST',
        url: '/v1/api-clients',
        headers: w.tenants.a.headers,
        payload: { name: 'bot', roles: ['trader'], ipAllowlist: [entry] },
      });
      assert.ok(response.statusCode === 422 || response.statusCode === 400, `${entry}: ${response.statusCode}`);
      assert.ok(['TEN_ERR_INVALID_IP_ALLOWLIST', 'API_ERR_VALIDATION'].includes(response.json().code), entry);
    }
    const ok = await w.app.inject({
      method: 'POST',
      url: '/v1/api-clients',
      headers: w.tenants.a.headers,
      payload: { name: 'bot', roles: ['trader'], ipAllowlist: ['10.0.0.0/8', '192.0.2.7', '2001:db8::/32'] },
    });
    assert.equal(ok.statusCode, 201, ok.body);
  });

  test('an Idempotency-Key longer than 200 characters is a 400', async () => {
    const response = await w.app.inject({
      method: 'POST',
      url: '/v1/accounts',
      headers: { ...w.tenants.a.headers, 'idempotency-key': 'k'.repeat(201) },
      payload: { code: 'LONGKEY', name: 'x' },
    });
    assert.equal(response.statusCode, 400);
  });
});

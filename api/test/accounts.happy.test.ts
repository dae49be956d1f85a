import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sealCommitted } from '@atrium/compliance';
import { buildWorld, graphql, type World } from './helpers.ts';

let w: World;
before(async () => {
  w = await buildWorld();
});
after(() => w.close());

const MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

describe('REST accounts', () => {
  test('opens an account, audits it and reads it back', async () => {
    const { headers } = w.tenants.a;
    const created = await w.app.inject({ method: 'POST', url: '/v1/accounts', headers, payload: { code: 'ARB-1', name: 'Arbitrage' } });
    assert.equal(created.statusCode, 201, created.body);
    const account = created.json();
    assert.equal(account.code, 'ARB-1');
    assert.equal(account.baseCurrency, 'USD');
    assert.equal(account.status, 'active');
    assert.match(account.createdAt, MICROS);
    assert.equal(created.headers.location, `/v1/accounts/${account.id}`);

    const read = await w.app.inject({ method: 'GET', url: `/v1/accounts/${account.id}`, headers });
    assert.equal(read.statusCode, 200);
    assert.deepEqual(read.json(), account);

    const audit = await w.app.inject({ method: 'GET', url: '/v1/audit-events?limit=1', headers });
    const [event] = audit.json().items;
    assert.equal(event.action, 'account.created');
    assert.equal(event.objectId, account.id);
    assert.equal(event.requestId, created.headers['x-request-id']);
    assert.deepEqual(event.after, account);
  });

  test('rejects a duplicate account code with 409', async () => {
    const { headers } = w.tenants.a;
    const response = await w.app.inject({ method: 'POST', url: '/v1/accounts', headers, payload: { code: 'MAIN', name: 'again' } });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'TRD_ERR_ACCOUNT_CODE_TAKEN');
  });

  test('renames then closes an account, with before and after audited', async () => {
    const { headers, accounts } = w.tenants.b;
    const target = accounts[1];
    assert.ok(target);
    const renamed = await w.app.inject({ method: 'PATCH', url: `/v1/accounts/${target.id}`, headers, payload: { name: 'Renamed' } });
    assert.equal(renamed.statusCode, 200, renamed.body);
    assert.equal(renamed.json().name, 'Renamed');
    const closed = await w.app.inject({ method: 'DELETE', url: `/v1/accounts/${target.id}`, headers });
    assert.equal(closed.statusCode, 200);
    assert.equal(closed.json().status, 'closed');
    const again = await w.app.inject({ method: 'PATCH', url: `/v1/accounts/${target.id}`, headers, payload: { name: 'x' } });
    assert.equal(again.statusCode, 422);
    assert.equal(again.json().code, 'TRD_ERR_ACCOUNT_CLOSED');

    const audit = (await w.app.inject({ method: 'GET', url: '/v1/audit-events?limit=2', headers })).json().items;
    assert.deepEqual(
      audit.map((e: { action: string }) => e.action),
      ['account.closed', 'account.updated'],
    );
    assert.equal(audit[1].before.name, `${w.tenants.b.slug} hedge`);
    assert.equal(audit[1].after.name, 'Renamed');
  });

  test('pages through accounts with an opaque cursor', async () => {
    const { headers } = w.tenants.a;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/accounts?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await w.app.inject({ method: 'GET', url, headers })).json();
      assert.ok(page.items.length <= 1);
      seen.push(...page.items.map((a: { id: string }) => a.id));
      cursor = page.nextCursor;
    } while (cursor);
    const all = (await w.app.inject({ method: 'GET', url: '/v1/accounts?limit=500', headers }))
      .json()
      .items.map((a: { id: string }) => a.id);
    assert.deepEqual(seen, all);
    assert.ok(all.length >= 2);
  });

  test('the audit chain verifies after sealing', async () => {
    const { headers, id } = w.tenants.a;
    assert.equal(await sealCommitted(w.t.db, id), true);
    const report = (await w.app.inject({ method: 'GET', url: '/v1/audit-chain/verification', headers })).json();
    assert.equal(report.ok, true);
    assert.equal(report.unsealed, 0);
    assert.ok(report.sealed >= 4, `sealed ${report.sealed}`);
    assert.match(report.headHash, /^[0-9a-f]{64}$/);
  });
});

describe('GraphQL accounts', () => {
  test('creates, reads, lists and closes through the same engine', async () => {
    const { headers } = w.tenants.a;
    const created = await graphql(
      w.app,
      headers,
      'mutation ($input: CreateAccountInput!) { createAccount(input: $input) { id code name baseCurrency status } }',
      { input: { code: 'GQL-1', name: 'From GraphQL', baseCurrency: 'EUR' } },
    );
    assert.equal(created.status, 200);
    assert.equal(created.body.errors, undefined);
    const account = created.body.data?.createAccount as { id: string; code: string; baseCurrency: string };
    assert.equal(account.code, 'GQL-1');
    assert.equal(account.baseCurrency, 'EUR');

    const rest = await w.app.inject({ method: 'GET', url: `/v1/accounts/${account.id}`, headers });
    assert.equal(rest.json().name, 'From GraphQL');

    const read = await graphql(w.app, headers, 'query ($id: ID!) { account(id: $id) { id name } tenant { slug } }', { id: account.id });
    assert.deepEqual(read.body.data, { account: { id: account.id, name: 'From GraphQL' }, tenant: { slug: w.tenants.a.slug } });

    const list = await graphql(
      w.app,
      headers,
      '{ accounts(first: 2) { edges { node { id } cursor } pageInfo { hasNextPage endCursor } } }',
    );
    const connection = list.body.data?.accounts as { edges: unknown[]; pageInfo: { hasNextPage: boolean } };
    assert.equal(connection.edges.length, 2);
    assert.equal(connection.pageInfo.hasNextPage, true);

    const closed = await graphql(w.app, headers, 'mutation ($id: ID!) { closeAccount(id: $id) { status } }', { id: account.id });
    assert.deepEqual(closed.body.data, { closeAccount: { status: 'closed' } });

    const events = await graphql(w.app, headers, '{ auditEvents(first: 2) { edges { node { action objectId after } } } }');
    const auditEvents = events.body.data?.auditEvents;
    assert.ok(auditEvents);
    const nodes = (auditEvents as { edges: { node: { action: string; objectId: string } }[] }).edges.map((e) => e.node);
    assert.deepEqual(
      nodes.map((n) => [n.action, n.objectId]),
      [
        ['account.closed', account.id],
        ['account.created', account.id],
      ],
    );
  });

  test('refuses queries deeper than the limit', async () => {
    const deep = `{ ${'tenant { branding { displayName } } '.repeat(1)} }`;
    assert.equal((await graphql(w.app, w.tenants.a.headers, deep)).status, 200);
    const tooDeep = await w.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: w.tenants.a.headers,
      payload: { query: '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }' },
    });
    assert.equal(tooDeep.statusCode, 400);
    assert.match(tooDeep.body, /depth/i);
  });

  test('refuses batched queries', async () => {
    const response = await w.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: w.tenants.a.headers,
      payload: [{ query: '{ tenant { slug } }' }, { query: '{ tenant { slug } }' }],
    });
    assert.ok(response.statusCode >= 400 && response.statusCode < 500, `status ${response.statusCode}`);
  });
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildWorld, type World } from './helpers.ts';

let w: World;
before(async () => {
  w = await buildWorld({ prefix: 'vk' });
});
after(() => w.close());

const SECRET = 'sk-live-very-secret-value-1234567890';

test('venue keys are write-only, sealed at rest, audited without the keys, and another tenant’s account is a 404', async () => {
  const accountId = w.tenants.a.accounts[0]?.id as string;
  const stored = await w.app.inject({
    method: 'PUT',
    url: `/v1/accounts/${accountId}/venue-keys/binance`,
    headers: w.tenants.a.headers,
    payload: { apiKey: 'AKIA-public-part-9876', secret: SECRET },
  });
  assert.equal(stored.statusCode, 200, stored.body);
  assert.deepEqual(Object.keys(stored.json()).sort(), ['accountId', 'apiKeyHint', 'createdAt', 'updatedAt', 'venue']);
  assert.equal(stored.json().apiKeyHint, '…9876');
  assert.ok(!stored.body.includes(SECRET));

  const listed = await w.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/venue-keys`, headers: w.tenants.a.headers });
  assert.deepEqual(
    listed.json().items.map((k: { venue: string }) => k.venue),
    ['binance'],
  );
  assert.ok(!listed.body.includes(SECRET) && !listed.body.includes('AKIA'));

  // At rest: ciphertext only, bound to this tenant and account.
  const [row] = await w.t.admin`select sealed from venue_credentials where account_id = ${accountId}`;
  assert.ok(row && !String(row.sealed).includes(SECRET) && !String(row.sealed).includes('AKIA'));
  const audit = await w.t
    .admin`select coalesce(after::text, '') || coalesce(before::text, '') as body from audit_events where action like 'venue_keys.%'`;
  assert.equal(audit.length, 1);
  assert.ok(!audit.some((r) => String(r.body).includes(SECRET)));

  // Another tenant can neither write keys for, nor list, nor delete this account's.
  const theirs = w.tenants.b.headers;
  assert.equal(
    (
      await w.app.inject({
        method: 'PUT',
        url: `/v1/accounts/${accountId}/venue-keys/kraken`,
        headers: theirs,
        payload: { apiKey: 'x1234', secret: 'y1234' },
      })
    ).statusCode,
    404,
  );
  assert.equal((await w.app.inject({ method: 'GET', url: `/v1/accounts/${accountId}/venue-keys`, headers: theirs })).statusCode, 404);
  assert.equal(
    (await w.app.inject({ method: 'DELETE', url: `/v1/accounts/${accountId}/venue-keys/binance`, headers: theirs })).statusCode,
    404,
  );

  const deleted = await w.app.inject({
    method: 'DELETE',
    url: `/v1/accounts/${accountId}/venue-keys/binance`,
    headers: w.tenants.a.headers,
  });
  assert.equal(deleted.statusCode, 204);
  const again = await w.app.inject({ method: 'DELETE', url: `/v1/accounts/${accountId}/venue-keys/binance`, headers: w.tenants.a.headers });
  assert.equal(again.statusCode, 404);
  assert.equal(again.json().code, 'TRD_ERR_VENUE_KEYS_NOT_FOUND');
});

test('an order for a live venue without keys is refused with a code', async () => {
  const response = await w.app.inject({
    method: 'POST',
    url: '/v1/orders',
    headers: await w.as(w.tenants.a, 'trader'),
    payload: {
      accountId: w.tenants.a.accounts[1]?.id,
      instrument: 'BTC-USDT',
      venue: 'kraken',
      side: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '60000',
    },
  });
  assert.equal(response.statusCode, 422);
  assert.equal(response.json().code, 'TRD_ERR_VENUE_NOT_CONFIGURED');
  const [row] = await w.t.admin`select count(*)::int as n from orders where venue = 'kraken'`;
  assert.equal(row?.n, 0, 'nothing recorded');
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { createReseller, createTenant } from '@atrium/tenants';
import ccxt from 'ccxt';
import { createAccount, createPaperVenue, getOrder, type OrderServices, placeOrder, reconcileUnknownOrders } from '../src/index.ts';
import { VenueCredentials } from '../src/vault/envelope.ts';
import { type CcxtFetch, createCcxtVenue } from '../src/venues/ccxt/adapter.ts';

// The order a recorded binance reply describes (fixtures/ccxt, MIT, from ccxt's own static tests).
const RECORDED_CLIENT_ORDER_ID = 'x-R4BD3S825806ed40c861260428a48c';
const fixture = JSON.parse(readFileSync(new URL('./fixtures/ccxt/response/binance.json', import.meta.url), 'utf8'));
const markets = JSON.parse(readFileSync(new URL('./fixtures/ccxt/markets/binance.json', import.meta.url), 'utf8'));
const closedOrder = (fixture.methods.fetchOrder as { description: string; httpResponse: unknown }[]).find(
  (entry) => entry.description === 'Fetch spot closed order',
);
const CTX = { actor: { type: 'user' as const, id: 'trader-1' }, requestId: 'req-1' };

let t: TestDatabase;
let tenantId: string;
let accountId: string;
before(async () => {
  t = await createTestDatabase();
  const reseller = await t.db.withPlatform((tx) => createReseller(tx, { slug: 'remote', name: 'Remote' }));
  tenantId = (await t.db.withPlatform((tx) => createTenant(tx, reseller.id, { slug: 'remote-t', name: 'R', legalName: 'R Ltd' }, CTX))).id;
  accountId = (await t.db.withTenant(tenantId, (tx) => createAccount(tx, { code: 'BIN', name: 'Binance' }, CTX))).id;
});
after(() => t.drop());

test('a venue that takes the order but drops the reply ends with exactly one reconciled order', async () => {
  assert.ok(closedOrder, 'the recorded binance order is in the fixtures');
  const sent: { method: string; url: string }[] = [];
  // ccxt's real binance adapter, offline: the placement times out after reaching the venue; the lookup replays the venue's record.
  const fetchImpl: CcxtFetch = async (url, method) => {
    sent.push({ method, url });
    if (method === 'POST' && url === 'https://api.binance.com/api/v3/order')
      throw new ccxt.RequestTimeout('binance POST order timed out (10000 ms)');
    if (method === 'GET' && url.startsWith('https://api.binance.com/api/v3/order?')) return closedOrder.httpResponse;
    throw new Error(`unexpected ${method} ${url}`);
  };
  const venue = createCcxtVenue({
    exchange: 'binance',
    credentials: new VenueCredentials({ apiKey: 'key', secret: 'secretsecret' }),
    fetchImpl,
    markets: { precisionMode: 'decimal-places', bySymbol: markets },
  });
  const services: OrderServices = {
    paper: createPaperVenue(),
    preTrade: async () => {},
    venueFor: async (tenant, account, venueId) => {
      assert.deepEqual([tenant, account, venueId], [tenantId, accountId, 'binance']);
      return venue;
    },
  };
  const order = await placeOrder(
    t.db,
    tenantId,
    {
      accountId,
      instrument: 'LTC-USDT',
      venue: 'binance',
      side: 'sell',
      type: 'market',
      timeInForce: 'IOC',
      quantity: '0.1',
      clientOrderId: RECORDED_CLIENT_ORDER_ID,
    },
    CTX,
    services,
  );
  assert.deepEqual([order.status, order.cumQuantity, order.leavesQuantity, order.avgPrice], ['filled', '0.1', '0', '90.8']);
  assert.equal(sent.filter((r) => r.method === 'POST').length, 1, 'sent to the venue exactly once, never resubmitted');

  const history = await t.admin`select status, event->>'type' as type from order_events where order_id = ${order.id} order by seq`;
  assert.deepEqual(
    history.map((row) => [row.type, row.status]),
    [
      ['submitted', 'pending-new'],
      ['timed-out', 'unknown'],
      ['resolved', 'filled'],
    ],
  );
  const [count] = await t.admin`select count(*)::int as n from orders where tenant_id = ${tenantId}`;
  assert.equal(count?.n, 1);
  const stored = await t.db.withTenant(tenantId, (tx) => getOrder(tx, order.id));
  assert.equal(stored.status, 'filled');
  const audit = await t.admin`select action from audit_events where tenant_id = ${tenantId} and object_id = ${order.id} order by id`;
  assert.deepEqual(
    audit.map((row) => row.action),
    ['order.submitted', 'order.unknown', 'order.reconciled'],
  );
});

test('a live venue without keys for the account is refused before anything is recorded', async () => {
  await assert.rejects(
    placeOrder(
      t.db,
      tenantId,
      {
        accountId,
        instrument: 'BTC-USDT',
        venue: 'kraken',
        side: 'buy',
        type: 'limit',
        timeInForce: 'GTC',
        quantity: '0.01',
        price: '60000',
      },
      CTX,
      { paper: createPaperVenue(), preTrade: async () => {} },
    ),
    (error: unknown) => (error as { code?: string }).code === 'TRD_ERR_VENUE_NOT_CONFIGURED',
  );
});

test('an order whose reply and first lookup were both lost stays unknown until the reconciler finds it', async () => {
  assert.ok(closedOrder);
  let venueAnswers = false;
  const fetchImpl: CcxtFetch = async (url, method) => {
    if (method === 'POST' && url === 'https://api.binance.com/api/v3/order') throw new ccxt.RequestTimeout('binance POST order timed out');
    if (method === 'GET' && url.startsWith('https://api.binance.com/api/v3/order?')) {
      if (!venueAnswers) throw new ccxt.RequestTimeout('binance GET order timed out');
      return closedOrder.httpResponse;
    }
    throw new Error(`unexpected ${method} ${url}`);
  };
  const venue = createCcxtVenue({
    exchange: 'binance',
    credentials: new VenueCredentials({ apiKey: 'key', secret: 'secretsecret' }),
    fetchImpl,
    markets: { precisionMode: 'decimal-places', bySymbol: markets },
  });
  const services: OrderServices = { paper: createPaperVenue(), preTrade: async () => {}, venueFor: async () => venue };
  // A tenant of its own: the recorded order's client id is already taken in the first test's tenant.
  const reseller = await t.db.withPlatform((tx) => createReseller(tx, { slug: 'remote-2', name: 'Remote 2' }));
  const other = (
    await t.db.withPlatform((tx) => createTenant(tx, reseller.id, { slug: 'remote-t2', name: 'R2', legalName: 'R2 Ltd' }, CTX))
  ).id;
  const account = (await t.db.withTenant(other, (tx) => createAccount(tx, { code: 'BIN2', name: 'Binance 2' }, CTX))).id;
  const order = await placeOrder(
    t.db,
    other,
    {
      accountId: account,
      instrument: 'LTC-USDT',
      venue: 'binance',
      side: 'sell',
      type: 'market',
      timeInForce: 'IOC',
      quantity: '0.1',
      clientOrderId: RECORDED_CLIENT_ORDER_ID,
    },
    CTX,
    services,
  );
  assert.equal(order.status, 'unknown');
  assert.equal(await reconcileUnknownOrders(t.db, other, services), 0, 'no answer yet: left unknown');
  venueAnswers = true;
  assert.equal(await reconcileUnknownOrders(t.db, other, services), 1);
  const settled = await t.db.withTenant(other, (tx) => getOrder(tx, order.id));
  assert.deepEqual([settled.status, settled.cumQuantity, settled.avgPrice], ['filled', '0.1', '90.8']);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { createReseller, createTenant } from '@atrium/tenants';
import { Decimal } from 'decimal.js';
import { closeAccount, createAccount, createPaperVenue, type OrderServices, type PlaceOrderInput, placeOrder } from '../src/index.ts';

/*
 * Paper orders a tenant sends while its previous transaction is in flight are
 * placed together in one transaction (group commit). These tests pin what that
 * must never change: each order hears its own answer, a refused order leaves
 * no trace and refuses no other, and orders of one batch trade with each other.
 */

const CTX = { actor: { type: 'system' as const, id: 'test' } };
const REFUSED_QUANTITY = '0.777';
let t: TestDatabase;
let tenantId: string;
let accountA: string;
let accountB: string;
let services: OrderServices;

before(async () => {
  t = await createTestDatabase({ poolSize: 4 });
  const reseller = await t.db.withPlatform((tx) => createReseller(tx, { slug: 'batch', name: 'Batch' }));
  tenantId = (await t.db.withPlatform((tx) => createTenant(tx, reseller.id, { slug: 'batch-t', name: 'B', legalName: 'B Ltd' }, CTX))).id;
  accountA = (await t.db.withTenant(tenantId, (tx) => createAccount(tx, { code: 'A', name: 'A' }, CTX))).id;
  accountB = (await t.db.withTenant(tenantId, (tx) => createAccount(tx, { code: 'B', name: 'B' }, CTX))).id;
  services = {
    paper: createPaperVenue({ stepIntervalMs: Number.POSITIVE_INFINITY }),
    // A real refusal from inside the transaction, for one recognisable quantity.
    preTrade: async (_tx, order) => {
      if (order.quantity === REFUSED_QUANTITY) throw Object.assign(new Error('refused by risk'), { code: 'TEST_REFUSED' });
    },
  };
});
after(() => t.drop());

const bid = (price: string, extra: Partial<PlaceOrderInput> = {}): PlaceOrderInput => ({
  accountId: accountA,
  instrument: 'BTC-USD',
  venue: 'paper',
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  quantity: '0.01',
  price,
  ...extra,
});

async function transactionsOf(ids: string[]): Promise<number> {
  const [row] = await t.admin<
    { n: number }[]
  >`select count(distinct xmin::text)::int as n from atrium.orders where id = any(${ids}::uuid[])`;
  return row?.n ?? 0;
}

test('orders sent together while one is in flight share the next transaction, each with its own answer', async () => {
  const inputs = Array.from({ length: 12 }, (_, i) => bid(`${50000 + i}`));
  // placeOrder queues synchronously: the first goes at once, the other eleven wait for it and go together.
  const orders = await Promise.all(inputs.map((input) => placeOrder(t.db, tenantId, input, CTX, services)));
  assert.deepEqual(
    orders.map((o) => [o.status, o.price]),
    inputs.map((input) => ['new', input.price]),
  );
  assert.equal(new Set(orders.map((o) => o.id)).size, 12);
  assert.equal(await transactionsOf(orders.map((o) => o.id)), 2);
  const events = await t.admin<{ n: number }[]>`
    select count(*)::int as n from atrium.order_events where order_id = any(${orders.map((o) => o.id)}::uuid[])`;
  assert.equal(events[0]?.n, 24, 'pending-new and new for every order');
  // Written once, in its state after the venue's answer, with its history as events.
  const [first] = orders;
  const history = await t.admin<{ seq: number; status: string }[]>`
    select seq, status from atrium.order_events where order_id = ${first?.id as string} order by seq`;
  assert.deepEqual(
    history.map((e) => [e.seq, e.status]),
    [
      [1, 'pending-new'],
      [2, 'new'],
    ],
  );
  const [snapshot] = await t.admin<{ after: { createdAt: string; status: string } }[]>`
    select after from atrium.audit_events where action = 'order.placed' and object_id = ${first?.id as string}`;
  assert.equal(snapshot?.after.createdAt, first?.createdAt, 'the audit snapshot carries the row’s own time');
  assert.equal(snapshot?.after.status, 'new');
  const audited = await t.admin<{ n: number }[]>`
    select count(*)::int as n from atrium.audit_events where action = 'order.placed' and object_id = any(${orders.map((o) => o.id)}::text[])`;
  assert.equal(audited[0]?.n, 12);
});

test('an order refused inside a shared transaction refuses no other, and leaves no trace in the book or the database', async () => {
  const taken = await placeOrder(t.db, tenantId, bid('49000', { clientOrderId: 'batch-taken' }), CTX, services);
  const inputs = [
    bid('49001'),
    bid('49002'),
    bid('49003', { clientOrderId: 'batch-taken' }),
    bid('49004'),
    bid('49005', { quantity: REFUSED_QUANTITY }),
    bid('49006'),
  ];
  const settled = await Promise.allSettled(inputs.map((input) => placeOrder(t.db, tenantId, input, CTX, services)));
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value.status : (s.reason as { code: string }).code)),
    ['new', 'new', 'TRD_ERR_CLIENT_ORDER_ID_TAKEN', 'new', 'TEST_REFUSED', 'new'],
  );
  const prices = await t.admin<{ price: string }[]>`
    select price::text as price from atrium.orders where tenant_id = ${tenantId} and price between 49000 and 49010 order by price`;
  assert.deepEqual(
    prices.map((r) => new Decimal(r.price).toFixed()),
    ['49000', '49001', '49002', '49004', '49006'],
  );
  const book = services.paper.snapshot(tenantId, 'BTC-USD', 200, Date.now());
  const resting = book.bids.map(([price]) => new Decimal(price).toFixed()).filter((p) => p >= '49000' && p <= '49010');
  assert.deepEqual(resting.sort(), ['49000', '49001', '49002', '49004', '49006'], 'the refused orders never reached the book');
  assert.equal(taken.clientOrderId, 'batch-taken');
});

test('orders of one batch trade with each other: the resting sell is locked and filled in the same transaction', async () => {
  const book = services.paper.snapshot(tenantId, 'BTC-USD', 1, Date.now());
  const bestBid = new Decimal(book.bids[0]?.[0] as string);
  const bestAsk = new Decimal(book.asks[0]?.[0] as string);
  const inside = bestBid.plus('0.1');
  assert.ok(inside.lt(bestAsk), `the synthetic spread ${bestBid}–${bestAsk} leaves a tick inside`);
  // Something in flight first, so that the sell and the buy queue behind it and go together.
  const first = placeOrder(t.db, tenantId, bid('48000'), CTX, services);
  const sell = placeOrder(t.db, tenantId, bid(inside.toFixed(), { side: 'sell' }), CTX, services);
  const buy = placeOrder(t.db, tenantId, bid(inside.toFixed(), { accountId: accountB }), CTX, services);
  const [, sold, bought] = await Promise.all([first, sell, buy]);
  assert.equal(bought.status, 'filled');
  assert.deepEqual(
    bought.fills.map((f) => [f.quantity, f.price, f.liquidity]),
    [['0.01', inside.toFixed(), 'taker']],
  );
  assert.equal(sold.status, 'filled', 'the reply shows what its batch did to it');
  assert.equal(await transactionsOf([sold.id, bought.id]), 1);
  const rows = await t.admin<{ status: string; cum: string }[]>`
    select status, cum_quantity::text as cum from atrium.orders where id = any(${[sold.id, bought.id]}::uuid[])`;
  assert.deepEqual(
    rows.map((r) => [r.status, new Decimal(r.cum).toFixed()]),
    [
      ['filled', '0.01'],
      ['filled', '0.01'],
    ],
  );
  const executions = await t.admin<{ n: number }[]>`
    select count(*)::int as n from atrium.executions where order_id = any(${[sold.id, bought.id]}::uuid[])`;
  assert.equal(executions[0]?.n, 2, 'one execution for each side');
});

test('a shared transaction naming several accounts refuses exactly the orders of the closed and the unknown one', async () => {
  const closed = (await t.db.withTenant(tenantId, (tx) => createAccount(tx, { code: 'C', name: 'C' }, CTX))).id;
  await t.db.withTenant(tenantId, (tx) => closeAccount(tx, closed, CTX));
  const missing = '01900000-0000-7000-8000-000000000000';
  const inputs = [
    bid('48001'),
    bid('48002', { accountId: closed }),
    bid('48003', { accountId: accountB }),
    bid('48004', { accountId: missing }),
    bid('48005'),
    bid('48006', { accountId: closed }),
    bid('48007', { accountId: accountB }),
  ];
  const settled = await Promise.allSettled(inputs.map((input) => placeOrder(t.db, tenantId, input, CTX, services)));
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value.status : (s.reason as { code: string }).code)),
    ['new', 'TRD_ERR_ACCOUNT_CLOSED', 'new', 'TRD_ERR_ACCOUNT_NOT_FOUND', 'new', 'TRD_ERR_ACCOUNT_CLOSED', 'new'],
  );
  const placed = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  assert.deepEqual(
    placed.map((o) => o.accountId),
    [accountA, accountB, accountA, accountB],
  );
});

test('orders of several tenants sent at once are each written, audited and refused in their own tenant, never in a shared transaction', async () => {
  const reseller = await t.db.withPlatform((tx) => createReseller(tx, { slug: 'batch-many', name: 'Batch many' }));
  const others = await Promise.all(
    ['batch-x', 'batch-y'].map(async (slug) => {
      const id = (await t.db.withPlatform((tx) => createTenant(tx, reseller.id, { slug, name: slug, legalName: `${slug} Ltd` }, CTX))).id;
      const account = (await t.db.withTenant(id, (tx) => createAccount(tx, { code: 'A', name: 'A' }, CTX))).id;
      return { tenantId: id, account };
    }),
  );
  const [x, y] = others as [{ tenantId: string; account: string }, { tenantId: string; account: string }];
  // The same clientOrderId in two tenants is no clash.
  const sends: [string, PlaceOrderInput][] = [
    [tenantId, bid('47001')],
    [x.tenantId, bid('47002', { accountId: x.account, clientOrderId: 'same-in-two-tenants' })],
    [y.tenantId, bid('47003', { accountId: y.account, clientOrderId: 'same-in-two-tenants' })],
    [tenantId, bid('47004')],
    [x.tenantId, bid('47005', { accountId: x.account, quantity: REFUSED_QUANTITY })],
    // Tenant A's account, placed as tenant Y: RLS hides it, so Y has no such account.
    [y.tenantId, bid('47006')],
    [y.tenantId, bid('47007', { accountId: y.account })],
    [x.tenantId, bid('47008', { accountId: x.account })],
  ];
  const settled = await Promise.allSettled(sends.map(([tenant, input]) => placeOrder(t.db, tenant, input, CTX, services)));
  assert.deepEqual(
    settled.map((s) => (s.status === 'fulfilled' ? s.value.status : (s.reason as { code: string }).code)),
    ['new', 'new', 'new', 'new', 'TEST_REFUSED', 'TRD_ERR_ACCOUNT_NOT_FOUND', 'new', 'new'],
  );
  const placed = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [{ tenant: sends[i]?.[0] as string, order: s.value }] : []));
  const ids = placed.map((p) => p.order.id);
  const rows = await t.admin<{ id: string; tenant_id: string; tx: string }[]>`
    select id, tenant_id, xmin::text as tx from atrium.orders where id = any(${ids}::uuid[])`;
  // A transaction is one tenant's: RLS scopes the whole of it, set once at its start.
  for (const tx of new Set(rows.map((r) => r.tx))) {
    assert.equal(new Set(rows.filter((r) => r.tx === tx).map((r) => r.tenant_id)).size, 1, `transaction ${tx} holds one tenant’s orders`);
  }
  assert.ok(new Set(rows.map((r) => r.tx)).size >= 3, 'three tenants, at least three transactions');
  const audits = await t.admin<{ object_id: string; tenant_id: string }[]>`
    select object_id, tenant_id from atrium.audit_events where action = 'order.placed' and object_id = any(${ids}::text[])`;
  const events = await t.admin<{ order_id: string; tenant_id: string }[]>`
    select order_id, tenant_id from atrium.order_events where order_id = any(${ids}::uuid[])`;
  for (const { tenant, order } of placed) {
    assert.deepEqual(
      rows.filter((r) => r.id === order.id).map((r) => r.tenant_id),
      [tenant],
    );
    assert.deepEqual(
      audits.filter((a) => a.object_id === order.id).map((a) => a.tenant_id),
      [tenant],
      'audited in its own tenant’s chain',
    );
    assert.deepEqual(
      events.filter((e) => e.order_id === order.id).map((e) => e.tenant_id),
      [tenant, tenant],
    );
  }
  // Each tenant's book has only its own orders.
  const bids = (tenant: string) =>
    services.paper
      .snapshot(tenant, 'BTC-USD', 200, Date.now())
      .bids.map(([price]) => new Decimal(price).toFixed())
      .filter((p) => p >= '47000' && p <= '47010')
      .sort();
  assert.deepEqual(bids(x.tenantId), ['47002', '47008']);
  assert.deepEqual(bids(y.tenantId), ['47003', '47007']);
});

test('more orders of one tenant than a batch takes all get their answers, over several transactions in arrival order', async () => {
  const inputs = Array.from({ length: 61 }, (_, i) => bid(`${46000 + i}`));
  const orders = await Promise.all(inputs.map((input) => placeOrder(t.db, tenantId, input, CTX, services)));
  assert.deepEqual(
    orders.map((o) => o.price),
    inputs.map((input) => input.price),
  );
  // The first alone, then 60 waiting: at most 24 of one tenant per transaction.
  assert.equal(await transactionsOf(orders.map((o) => o.id)), 4);
  const created = orders.map((o) => o.createdAt);
  assert.deepEqual(created, [...created].sort(), 'placed in arrival order');
});

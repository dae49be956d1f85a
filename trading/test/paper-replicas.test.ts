import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createDatabase, type Database } from '@atrium/db';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { Decimal } from 'decimal.js';
import { applyPaperTick, cancelOrder, createPaperVenue, type OrderServices, placeOrder, restorePaperBooks } from '../src/index.ts';
import { CTX, type PaperTenant, paperTenant, recordOf } from './paper-tenant.ts';

/*
 * Two API replicas over one database, each with its own paper venue (its own
 * copies of the books) and its own connection pool, trading the same
 * tenant's book. Each copy knows the record's version it holds; under the
 * book's lock a replica whose copy another has overtaken rebuilds it first,
 * so no resting order is filled, cancelled or expired from an old copy.
 */

let t: TestDatabase;
let other: Database;
let tenantId: string;
let order: PaperTenant['order'];

async function freshTenant(): Promise<void> {
  ({ tenantId, order } = await paperTenant(t.db, 'replicas'));
}

/** A replica: its own venue (books) and its own pool. */
function replica(db: Database, stepIntervalMs = Number.POSITIVE_INFINITY): { db: Database; services: OrderServices } {
  return { db, services: { paper: createPaperVenue({ stepIntervalMs }), preTrade: async () => {} } };
}

before(async () => {
  t = await createTestDatabase({ poolSize: 4 });
  other = createDatabase({ url: t.appUrl, poolSize: 4 });
});
after(async () => {
  await other.close();
  await t.drop();
});

const rowOf = (id: string) => recordOf(t, id);

async function executionsOf(id: string): Promise<number> {
  const [count] = await t.admin<{ n: number }[]>`select count(*)::int as n from atrium.executions where order_id = ${id}`;
  return count?.n ?? -1;
}

/** A price one tick inside the synthetic spread, where only our orders rest (the market stands still in these tests). */
async function insidePrice(a: { db: Database; services: OrderServices }): Promise<string> {
  await placeOrder(a.db, tenantId, order('buy', '40000', '0.01'), CTX, a.services);
  const book = a.services.paper.snapshot(tenantId, 'BTC-USD', 1, Date.now());
  const inside = new Decimal(book.bids[0]?.[0] as string).plus('0.1');
  assert.ok(inside.lt(book.asks[0]?.[0] as string), 'a tick inside the synthetic spread');
  return inside.toFixed();
}

test('a replica whose copy another replica overtook rebuilds it first: a resting order is filled once, not from the old copy', async () => {
  await freshTenant();
  const a = replica(t.db);
  const b = replica(other);
  const at = await insidePrice(a);
  const resting = await placeOrder(a.db, tenantId, order('buy', at, '0.05'), CTX, a.services);

  // B never loaded the book: it builds it from the record and takes 0.03 of A's resting order.
  const first = await placeOrder(b.db, tenantId, order('sell', at, '0.03'), CTX, b.services);
  assert.equal(first.status, 'filled');
  assert.deepEqual(await rowOf(resting.id), { status: 'partially-filled', cum: '0.03', leaves: '0.02' });

  // A's copy still shows 0.05 resting; under the lock it finds the record moved on and rebuilds: 0.02 is left to take.
  const second = await placeOrder(a.db, tenantId, order('sell', at, '0.03'), CTX, a.services);
  assert.equal(second.status, 'partially-filled');
  assert.equal(new Decimal(second.cumQuantity).toFixed(), '0.02');
  assert.deepEqual(await rowOf(resting.id), { status: 'filled', cum: '0.05', leaves: '0' });
  assert.equal(await executionsOf(resting.id), 2);
});

test('a cancel on one replica takes the order out of the other replica’s book', async () => {
  await freshTenant();
  const a = replica(t.db);
  const b = replica(other);
  const at = await insidePrice(a);
  const resting = await placeOrder(a.db, tenantId, order('buy', at, '0.01'), CTX, a.services);
  const cancelled = await cancelOrder(b.db, tenantId, resting.id, CTX, b.services);
  assert.equal(cancelled.status, 'cancelled');

  // A sell at that price on A finds nothing to take: A's copy was rebuilt without the cancelled order.
  const sell = await placeOrder(a.db, tenantId, order('sell', at, '0.01'), CTX, a.services);
  assert.equal(sell.status, 'new');
  assert.equal(await executionsOf(resting.id), 0);
  assert.deepEqual(await rowOf(resting.id), { status: 'cancelled', cum: '0', leaves: '0' });
});

test('the replica that changed a book last ticks it; an overtaken copy’s tick is void and the copy goes back to quotes', async () => {
  await freshTenant();
  const a = replica(t.db);
  const b = replica(other);
  const at = await insidePrice(a);
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  const gtd = await placeOrder(a.db, tenantId, order('buy', '41000', '0.01', { timeInForce: 'GTD', expiresAt }), CTX, a.services);
  // B changes the book: now B's copy is the current one.
  await placeOrder(b.db, tenantId, order('buy', at, '0.01'), CTX, b.services);

  const later = Date.now() + 120_000;
  assert.equal(await applyPaperTick(a.db, a.services, later), 0, 'A’s copy is overtaken: its expiry is not recorded');
  assert.equal((await rowOf(gtd.id)).status, 'new');
  assert.deepEqual(a.services.paper.books(tenantId, 'preview'), ['BTC-USD'], 'A’s copy went back to quotes');
  const quotesOnly = a.services.paper.snapshot(tenantId, 'BTC-USD', 50, later).bids;
  assert.equal(
    quotesOnly.find(([price]) => new Decimal(price).eq(40000)),
    undefined,
    'A shows none of our orders',
  );
  assert.equal(await applyPaperTick(a.db, a.services, later), 0, 'A ticks the book no more');

  assert.equal(await applyPaperTick(b.db, b.services, later), 1);
  assert.equal((await rowOf(gtd.id)).status, 'expired');
  const [events] = await t.admin<{ n: number }[]>`
    select count(*)::int as n from atrium.order_events where order_id = ${gtd.id} and status = 'expired'`;
  assert.equal(events?.n, 1);
  // A takes the book up again (the periodic adoption): rebuilt from the record, with B's order and without the expired one.
  assert.deepEqual((await restorePaperBooks(a.db, a.services, later)).failed, []);
  const bids = a.services.paper.snapshot(tenantId, 'BTC-USD', 50, later).bids;
  assert.equal(
    bids.find(([price]) => new Decimal(price).eq(41000)),
    undefined,
  );
  assert.equal(new Decimal(bids.find(([price]) => new Decimal(price).eq(at))?.[1] ?? '0').toFixed(), '0.01');
});

test('a book whose replica went away is adopted by another and ticks there', async () => {
  await freshTenant();
  const a = replica(t.db);
  const b = replica(other);
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  const gtd = await placeOrder(a.db, tenantId, order('buy', '41000', '0.01', { timeInForce: 'GTD', expiresAt }), CTX, a.services);
  // A is gone (scaled down). B never loaded the book, so its tick has nothing of this tenant's.
  const later = Date.now() + 120_000;
  await applyPaperTick(b.db, b.services, later);
  assert.equal((await rowOf(gtd.id)).status, 'new');
  // B's periodic adoption finds the book idle and no copy of it here: B takes it up (still before the order's time).
  assert.deepEqual((await restorePaperBooks(b.db, b.services, Date.now(), { idleForMs: 0 })).failed, []);
  assert.ok(b.services.paper.books(tenantId, 'loaded').includes('BTC-USD'));
  assert.equal((await rowOf(gtd.id)).status, 'new');
  assert.equal(await applyPaperTick(b.db, b.services, later), 1);
  assert.equal((await rowOf(gtd.id)).status, 'expired');
});

test('adoption leaves a book another replica changed lately, and puts back to quotes a copy overtaken without a tick', async () => {
  await freshTenant();
  const a = replica(t.db);
  const b = replica(other);
  const at = await insidePrice(a);
  const resting = await placeOrder(a.db, tenantId, order('buy', at, '0.01'), CTX, a.services);
  // B changed the book a moment ago: B's adoption with an idle time of a minute leaves it alone.
  await cancelOrder(b.db, tenantId, resting.id, CTX, b.services);
  const c = replica(t.db);
  assert.equal((await restorePaperBooks(c.db, c.services, Date.now(), { idleForMs: 60_000 })).books, 0);
  assert.deepEqual(c.services.paper.books(tenantId, 'loaded'), []);
  // A's copy still shows the cancelled order until A's adoption round reads the versions.
  const shown = () => a.services.paper.snapshot(tenantId, 'BTC-USD', 50, Date.now()).bids.find(([price]) => new Decimal(price).eq(at));
  assert.ok(shown(), 'A’s copy is behind');
  await restorePaperBooks(a.db, a.services, Date.now(), { idleForMs: 60_000 });
  assert.deepEqual(a.services.paper.books(tenantId, 'preview'), ['BTC-USD']);
  assert.equal(shown(), undefined);
});

test('one overtaken book voids only its own tick: the tenant’s other book records its expiry', async () => {
  await freshTenant();
  const a = replica(t.db);
  const b = replica(other);
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  const btc = await placeOrder(a.db, tenantId, order('buy', '41000', '0.01', { timeInForce: 'GTD', expiresAt }), CTX, a.services);
  const eth = await placeOrder(
    a.db,
    tenantId,
    order('buy', '2000', '0.1', { instrument: 'ETH-USDT', timeInForce: 'GTD', expiresAt }),
    CTX,
    a.services,
  );
  // B changes the BTC-USD book only.
  await placeOrder(b.db, tenantId, order('buy', '40000', '0.01'), CTX, b.services);
  const later = Date.now() + 120_000;
  assert.equal(await applyPaperTick(a.db, a.services, later), 1);
  assert.equal((await rowOf(eth.id)).status, 'expired');
  assert.equal((await rowOf(btc.id)).status, 'new', 'the BTC-USD copy was overtaken: its expiry is B’s to record');
  assert.deepEqual(a.services.paper.books(tenantId, 'loaded'), ['ETH-USDT']);
});

test('two replicas trading one book at once: every fill is recorded once, both sides match, no order overfills', async () => {
  await freshTenant();
  const a = replica(t.db);
  const b = replica(other);
  const at = await insidePrice(a);
  const placed = await Promise.all(
    Array.from({ length: 40 }, (_, i) => {
      const on = i % 2 === 0 ? a : b;
      const side = i % 4 < 2 ? 'buy' : 'sell';
      return placeOrder(on.db, tenantId, order(side, at, '0.003'), CTX, on.services);
    }),
  );
  assert.equal(placed.length, 40);
  const rows = await t.admin<{ id: string; side: string; quantity: string; cum: string; executed: string | null }[]>`
    select o.id, o.side, o.quantity::text as quantity, o.cum_quantity::text as cum,
           (select sum(x.quantity)::text from atrium.executions x where x.tenant_id = o.tenant_id and x.order_id = o.id) as executed
      from atrium.orders o where o.tenant_id = ${tenantId} and o.price = ${at}`;
  assert.equal(rows.length, 40);
  let bought = new Decimal(0);
  let sold = new Decimal(0);
  for (const row of rows) {
    assert.ok(new Decimal(row.cum).lte(row.quantity), `${row.id} overfilled`);
    assert.ok(new Decimal(row.executed ?? '0').eq(row.cum), `${row.id}: executions ${row.executed} against cum ${row.cum}`);
    if (row.side === 'buy') bought = bought.plus(row.cum);
    else sold = sold.plus(row.cum);
  }
  // Only our orders rest at that price, so every fill there has one of ours on each side.
  assert.equal(bought.toFixed(), sold.toFixed());
  assert.equal(bought.toFixed(), '0.06', 'every sell met a buy');
});

test('a restarted venue resumes the synthetic market at the mid the record holds, not at its seed', async () => {
  await freshTenant();
  // A market that moves on every order.
  const a = replica(t.db, 1);
  let now = Date.now();
  const moving: OrderServices = { ...a.services, now: () => (now += 10) };
  // Orders until the walk stands away from the seed's mid (each one steps it by up to five ticks either way).
  let mid = '65000';
  for (let i = 0; i < 50 && new Decimal(mid).eq(65000); i++) {
    await placeOrder(a.db, tenantId, order('buy', '30000', '0.001'), CTX, moving);
    mid = a.services.paper.mid(tenantId, 'BTC-USD');
  }
  assert.notEqual(new Decimal(mid).toFixed(), '65000', 'the walk moved away from the seed’s mid');
  const [recorded] = await t.admin<{ mid: string }[]>`
    select mid::text as mid from atrium.paper_books where tenant_id = ${tenantId} and instrument = 'BTC-USD'`;
  assert.equal(new Decimal(recorded?.mid as string).toFixed(), new Decimal(mid).toFixed());

  const restarted = replica(t.db, 1);
  // (Earlier tests' tenants have open orders too: their books are restored beside this one.)
  assert.deepEqual((await restorePaperBooks(t.db, restarted.services, now)).failed, []);
  assert.equal(new Decimal(restarted.services.paper.mid(tenantId, 'BTC-USD')).toFixed(), new Decimal(mid).toFixed());
});

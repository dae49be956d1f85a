import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { Decimal } from 'decimal.js';
import { amendOrder, applyPaperTick, createPaperVenue, type OrderServices, placeOrder, restorePaperBooks } from '../src/index.ts';
import { CTX, type PaperTenant, paperTenant, recordOf } from './paper-tenant.ts';

/*
 * The database is the record and a paper book its in-process copy. These
 * tests restart the venue (a new one over the same database) and make a
 * write fail after the book matched, and check the book is rebuilt from the
 * record both times: resting orders with their fills and time priority, held
 * stops held, GTD orders expiring, and nothing the record does not hold.
 */

let t: TestDatabase;
let tenantId: string;
let order: PaperTenant['order'];

async function freshTenant(): Promise<void> {
  ({ tenantId, order } = await paperTenant(t.db, 'reload'));
}

const venue = () => createPaperVenue({ stepIntervalMs: Number.POSITIVE_INFINITY });
const servicesWith = (paper = venue()): OrderServices => ({ paper, preTrade: async () => {} });

before(async () => {
  t = await createTestDatabase({ poolSize: 4 });
});
after(() => t.drop());

const rowOf = (id: string) => recordOf(t, id);

/** What rests at a price on one side, as the book aggregates it. */
function levelAt(services: OrderServices, side: 'bids' | 'asks', price: Decimal): string | undefined {
  const level = services.paper.snapshot(tenantId, 'BTC-USD', 50, Date.now())[side].find(([p]) => new Decimal(p).eq(price));
  return level ? new Decimal(level[1]).toFixed() : undefined;
}
const bidAt = (services: OrderServices, price: Decimal) => levelAt(services, 'bids', price);

test('after a restart the books hold the open orders again: fills, time priority after an amend, held stops, GTD expiry', async () => {
  await freshTenant();
  const first = servicesWith();
  // The first order loads the (empty) book; the spread's inside tick is where our orders rest alone.
  await placeOrder(t.db, tenantId, order('buy', '40000', '0.01'), CTX, first);
  const book = first.paper.snapshot(tenantId, 'BTC-USD', 1, Date.now());
  const inside = new Decimal(book.bids[0]?.[0] as string).plus('0.1');
  assert.ok(inside.lt(book.asks[0]?.[0] as string), 'a tick inside the synthetic spread');
  const at = inside.toFixed();

  const early = await placeOrder(t.db, tenantId, order('buy', at, '0.01'), CTX, first);
  const later = await placeOrder(t.db, tenantId, order('buy', at, '0.01'), CTX, first);
  // A larger quantity sends the early order behind the later one.
  await amendOrder(t.db, tenantId, early.id, { quantity: '0.02' }, CTX, first);
  const partial = await placeOrder(t.db, tenantId, order('sell', at, '0.004'), CTX, first);
  assert.equal(partial.status, 'filled');
  assert.deepEqual(
    await rowOf(later.id),
    { status: 'partially-filled', cum: '0.004', leaves: '0.006' },
    'priority went to the later order',
  );
  const expiresAt = new Date(Date.now() + 60_000).toISOString();
  const gtd = await placeOrder(t.db, tenantId, order('buy', '41000', '0.01', { timeInForce: 'GTD', expiresAt }), CTX, first);
  const stop = await placeOrder(t.db, tenantId, order('sell', '39000', '0.01', { type: 'stop-limit', stopPrice: '39500' }), CTX, first);
  assert.equal(stop.status, 'new');

  // The process restarts: a new venue over the same record.
  const second = servicesWith();
  assert.equal(bidAt(second, inside), undefined, 'a book not loaded shows the quotes only');
  assert.deepEqual(await restorePaperBooks(t.db, second, Date.now()), { books: 1, failed: [] });
  assert.equal(bidAt(second, inside), '0.026', 'the later order’s remainder and the amended one rest again');
  assert.equal(bidAt(second, new Decimal('41000')), '0.01');
  assert.equal(levelAt(first, 'asks', new Decimal('39000')), undefined, 'held before the restart');
  assert.equal(levelAt(second, 'asks', new Decimal('39000')), undefined, 'the held stop is held, not resting');

  // Price-time priority as before the restart: the later order first, then the amended one.
  const take = await placeOrder(t.db, tenantId, order('sell', at, '0.01'), CTX, second);
  assert.equal(take.status, 'filled');
  assert.deepEqual(await rowOf(later.id), { status: 'filled', cum: '0.01', leaves: '0' });
  assert.deepEqual(await rowOf(early.id), { status: 'partially-filled', cum: '0.004', leaves: '0.016' });
  assert.deepEqual(await rowOf(stop.id), { status: 'new', cum: '0', leaves: '0.01' });

  // The GTD order expires on the restarted venue's tick.
  assert.equal(await applyPaperTick(t.db, second, Date.now() + 120_000), 1);
  assert.equal((await rowOf(gtd.id)).status, 'expired');
  assert.equal(bidAt(second, new Decimal('41000')), undefined);
});

test('a write that fails after the book matched leaves the book as the record has it, not as the failed match left it', async () => {
  await freshTenant();
  const services = servicesWith();
  const book = (await placeOrder(t.db, tenantId, order('buy', '40000', '0.01'), CTX, services)) && services.paper;
  const snap = book.snapshot(tenantId, 'BTC-USD', 1, Date.now());
  const inside = new Decimal(snap.bids[0]?.[0] as string).plus('0.1');
  const at = inside.toFixed();
  const resting = await placeOrder(t.db, tenantId, order('buy', at, '0.05'), CTX, services);
  const before = bidAt(services, inside);
  // An execution of this one quantity cannot be written: the taker's transaction fails after matching.
  await t.admin.unsafe(`
    create function atrium.refuse_execution() returns trigger language plpgsql as $$
    begin
      if new.quantity = 0.013 then raise exception 'planted failure'; end if;
      return new;
    end $$;
    create trigger refuse_execution before insert on atrium.executions for each row execute function atrium.refuse_execution();`);
  try {
    await assert.rejects(placeOrder(t.db, tenantId, order('sell', at, '0.013'), CTX, services), /planted failure/);
  } finally {
    await t.admin.unsafe('drop trigger refuse_execution on atrium.executions; drop function atrium.refuse_execution();');
  }
  assert.deepEqual(await rowOf(resting.id), { status: 'new', cum: '0', leaves: '0.05' }, 'the record never saw the fill');
  // The book took the fill in memory; the next order rebuilds it from the record first.
  const next = await placeOrder(t.db, tenantId, order('sell', at, '0.02'), CTX, services);
  assert.equal(next.status, 'filled');
  assert.deepEqual(await rowOf(resting.id), { status: 'partially-filled', cum: '0.02', leaves: '0.03' });
  assert.equal(bidAt(services, inside), new Decimal(before as string).minus('0.02').toFixed());
  const [count] = await t.admin<{ n: number }[]>`select count(*)::int as n from atrium.executions where order_id = ${resting.id}`;
  assert.equal(count?.n, 1, 'one execution: the failed match left none');
});

test('a stop-limit that triggered but did not fill rests again after a restart, at its limit price, not held', async () => {
  await freshTenant();
  const first = servicesWith();
  await placeOrder(t.db, tenantId, order('buy', '40000', '0.01'), CTX, first);
  const { bids, asks } = first.paper.snapshot(tenantId, 'BTC-USD', 2, Date.now());
  const [[, atBest], [secondBid, atSecond]] = bids as [[string, string], [string, string]];
  const high = new Decimal(asks[0]?.[0] as string).plus(1000);
  // Held: the market stands above the stop. When released, its limit price is far above the ask, so it rests.
  const stop = await placeOrder(
    t.db,
    tenantId,
    order('sell', high.toFixed(), '0.01', { type: 'stop-limit', stopPrice: secondBid }),
    CTX,
    first,
  );
  assert.equal(stop.status, 'new');
  assert.equal(stop.triggeredAt, null);
  assert.equal(levelAt(first, 'asks', high), undefined, 'held');
  // Rests at that price before the stop triggers: ahead of it in the book, and after a rebuild too.
  const ahead = await placeOrder(t.db, tenantId, order('sell', high.toFixed(), '0.02'), CTX, first);
  // A market sell through the two best bids trades at the stop.
  const sweep = await placeOrder(
    t.db,
    tenantId,
    { ...order('sell', '1', new Decimal(atBest).plus(atSecond).toFixed()), type: 'market', timeInForce: 'IOC', price: undefined },
    CTX,
    first,
  );
  assert.equal(sweep.status, 'filled');
  assert.equal(levelAt(first, 'asks', high), '0.03', 'triggered: it rests as a limit order');
  const [row] = await t.admin<{ status: string; triggered_at: Date | null }[]>`
    select status, triggered_at from atrium.orders where id = ${stop.id}`;
  assert.equal(row?.status, 'new');
  assert.ok(row?.triggered_at, 'the trigger is on the record');

  const second = servicesWith();
  assert.deepEqual((await restorePaperBooks(t.db, second, Date.now())).failed, []);
  assert.equal(levelAt(second, 'asks', high), '0.03', 'rebuilt as resting, not held again');
  const queue = await t.admin<{ id: string }[]>`
    select id from atrium.orders where tenant_id = ${tenantId} and price = ${high.toFixed()} order by coalesce(priority_at, created_at), id`;
  assert.deepEqual(
    queue.map((row) => row.id),
    [ahead.id, stop.id],
    'the rebuilt queue at that price: the order that rested first, then the stop that triggered',
  );
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  candles,
  createScale,
  createSyntheticMarket,
  type EngineOrder,
  feeFor,
  InvalidDecimalError,
  OrderBook,
  PriceOffTickError,
  QuantityOffLotError,
} from '../src/venues/paper/index.ts';

const NOW = 1_000;

let counter = 0;
function limit(side: 'buy' | 'sell', price: bigint, quantity: bigint, overrides: Partial<EngineOrder> = {}): EngineOrder {
  return { id: `o${++counter}`, ownerId: `owner-${counter}`, side, type: 'limit', price, quantity, timeInForce: 'GTC', ...overrides };
}
function market(side: 'buy' | 'sell', quantity: bigint, overrides: Partial<EngineOrder> = {}): EngineOrder {
  return { id: `o${++counter}`, ownerId: `owner-${counter}`, side, type: 'market', quantity, timeInForce: 'IOC', ...overrides };
}
const fillSummary = (fills: { makerOrderId: string; price: bigint; quantity: bigint }[]) =>
  fills.map((f) => [f.makerOrderId, f.price, f.quantity]);

describe('order book', () => {
  test('a limit order that does not cross rests at its price', () => {
    const book = new OrderBook();
    const result = book.submit(limit('buy', 100n, 5n, { id: 'bid' }), NOW);
    assert.equal(result.status, 'new');
    assert.deepEqual(result.fills, []);
    assert.equal(result.remaining, 5n);
    assert.equal(book.bestBid(), 100n);
    assert.equal(book.bestAsk(), null);
    assert.equal(book.size, 1);
    assert.equal(book.order('bid')?.remaining, 5n);
    assert.deepEqual(book.snapshot(5), { bids: [[100n, 5n]], asks: [] });
  });

  test('a maker is partially filled, then filled, at its own price', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 10n, { id: 'ask', ownerId: 'maker' }), NOW);
    const first = book.submit(limit('buy', 105n, 4n, { id: 't1', ownerId: 'taker' }), NOW);
    assert.equal(first.status, 'filled');
    assert.equal(first.remaining, 0n);
    assert.deepEqual(first.fills, [
      {
        makerOrderId: 'ask',
        takerOrderId: 't1',
        makerOwnerId: 'maker',
        takerOwnerId: 'taker',
        price: 100n,
        quantity: 4n,
        takerSide: 'buy',
        makerRemaining: 6n,
        sequence: 1,
      },
    ]);
    assert.equal(book.order('ask')?.remaining, 6n);
    assert.equal(book.order('ask')?.filled, 4n);

    const second = book.submit(limit('buy', 100n, 9n, { id: 't2', ownerId: 'taker' }), NOW);
    assert.equal(second.status, 'partially-filled');
    assert.deepEqual(fillSummary(second.fills), [['ask', 100n, 6n]]);
    assert.equal(second.fills[0]?.sequence, 2);
    assert.equal(second.remaining, 3n);
    assert.equal(book.order('ask'), null);
    assert.deepEqual(book.snapshot(5), { bids: [[100n, 3n]], asks: [] });
  });

  test('of two makers at the same price, the earlier one fills first', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 3n, { id: 'early' }), NOW);
    book.submit(limit('sell', 100n, 3n, { id: 'late' }), NOW);
    const result = book.submit(limit('buy', 100n, 4n), NOW);
    assert.deepEqual(fillSummary(result.fills), [
      ['early', 100n, 3n],
      ['late', 100n, 1n],
    ]);
  });

  test('a better price fills before an earlier worse one, and the taker walks levels at the makers’ prices', () => {
    const book = new OrderBook();
    book.submit(limit('buy', 99n, 5n, { id: 'worse-earlier' }), NOW);
    book.submit(limit('buy', 101n, 2n, { id: 'better-later' }), NOW);
    book.submit(limit('buy', 100n, 2n, { id: 'middle' }), NOW);
    const result = book.submit(limit('sell', 99n, 6n), NOW);
    assert.deepEqual(fillSummary(result.fills), [
      ['better-later', 101n, 2n],
      ['middle', 100n, 2n],
      ['worse-earlier', 99n, 2n],
    ]);
    assert.deepEqual(book.snapshot(5).bids, [[99n, 3n]]);
  });

  test('a limit order stops at its limit price', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 1n), NOW);
    book.submit(limit('sell', 102n, 1n), NOW);
    const result = book.submit(limit('buy', 101n, 5n, { id: 'bid' }), NOW);
    assert.deepEqual(
      result.fills.map((f) => f.price),
      [100n],
    );
    assert.equal(result.status, 'partially-filled');
    assert.deepEqual(book.snapshot(5), { bids: [[101n, 4n]], asks: [[102n, 1n]] });
  });

  test('an IOC order fills what it can and cancels the remainder', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 2n), NOW);
    const result = book.submit(limit('buy', 100n, 5n, { id: 'ioc', timeInForce: 'IOC' }), NOW);
    assert.equal(result.status, 'cancelled');
    assert.equal(result.fills.length, 1);
    assert.equal(result.remaining, 3n);
    assert.equal(book.order('ioc'), null);
    assert.deepEqual(book.snapshot(5), { bids: [], asks: [] });
  });

  test('an IOC order that crosses nothing is cancelled whole', () => {
    const book = new OrderBook();
    const result = book.submit(limit('buy', 100n, 5n, { timeInForce: 'IOC' }), NOW);
    assert.equal(result.status, 'cancelled');
    assert.equal(result.remaining, 5n);
    assert.equal(book.size, 0);
  });

  test('a FOK order without enough crossing liquidity is rejected and leaves the book unchanged', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 2n), NOW);
    book.submit(limit('sell', 101n, 2n), NOW);
    book.submit(limit('sell', 105n, 10n), NOW);
    const before = book.snapshot(10);
    const result = book.submit(limit('buy', 101n, 5n, { timeInForce: 'FOK' }), NOW);
    assert.equal(result.status, 'rejected');
    assert.equal(result.rejectReason, 'fok-not-fillable');
    assert.deepEqual(result.fills, []);
    assert.equal(result.remaining, 5n);
    assert.deepEqual(book.snapshot(10), before);
  });

  test('a FOK order with enough crossing liquidity fills completely', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 2n), NOW);
    book.submit(limit('sell', 101n, 2n), NOW);
    const result = book.submit(limit('buy', 101n, 4n, { timeInForce: 'FOK' }), NOW);
    assert.equal(result.status, 'filled');
    assert.equal(result.fills.length, 2);
    assert.equal(book.size, 0);
  });

  test('a FOK order does not count its own owner’s resting orders as liquidity', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 5n, { ownerId: 'alice', id: 'own' }), NOW);
    book.submit(limit('sell', 100n, 2n, { ownerId: 'bob' }), NOW);
    const result = book.submit(limit('buy', 100n, 4n, { ownerId: 'alice', timeInForce: 'FOK' }), NOW);
    assert.equal(result.rejectReason, 'fok-not-fillable');
    assert.notEqual(book.order('own'), null);
  });

  test('a post-only order that would cross is rejected without filling', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 2n), NOW);
    const result = book.submit(limit('buy', 100n, 1n, { postOnly: true }), NOW);
    assert.equal(result.status, 'rejected');
    assert.equal(result.rejectReason, 'post-only-would-take');
    assert.deepEqual(result.fills, []);
    assert.deepEqual(book.snapshot(5), { bids: [], asks: [[100n, 2n]] });
    const resting = book.submit(limit('buy', 99n, 1n, { postOnly: true }), NOW);
    assert.equal(resting.status, 'new');
  });

  test('a market order sweeps several levels and cancels what the book cannot fill', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 1n), NOW);
    book.submit(limit('sell', 101n, 2n), NOW);
    book.submit(limit('sell', 150n, 3n), NOW);
    const result = book.submit(market('buy', 10n), NOW);
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(
      result.fills.map((f) => [f.price, f.quantity]),
      [
        [100n, 1n],
        [101n, 2n],
        [150n, 3n],
      ],
    );
    assert.equal(result.remaining, 4n);
    assert.equal(book.size, 0);
  });

  test('a market order into an empty side is rejected for lack of liquidity', () => {
    const book = new OrderBook();
    book.submit(limit('buy', 100n, 1n), NOW);
    const result = book.submit(market('buy', 1n), NOW);
    assert.equal(result.status, 'rejected');
    assert.equal(result.rejectReason, 'no-liquidity');
  });

  test('a GTD order that has already expired is rejected', () => {
    const book = new OrderBook();
    const result = book.submit(limit('buy', 100n, 1n, { timeInForce: 'GTD', expiresAt: NOW }), NOW);
    assert.equal(result.status, 'rejected');
    assert.equal(result.rejectReason, 'expired');
    assert.equal(book.size, 0);
  });

  test('GTD orders are removed by expire() once expiresAt ≤ now, and never trade after it', () => {
    const book = new OrderBook();
    book.submit(limit('buy', 100n, 1n, { id: 'short', timeInForce: 'GTD', expiresAt: NOW + 10 }), NOW);
    book.submit(limit('buy', 100n, 1n, { id: 'long', timeInForce: 'GTD', expiresAt: NOW + 20 }), NOW);
    book.submit(limit('buy', 99n, 1n, { id: 'gtc' }), NOW);
    assert.deepEqual(book.expire(NOW + 9), []);
    assert.deepEqual(
      book.expire(NOW + 10).map((o) => o.id),
      ['short'],
    );
    assert.equal(book.order('short'), null);
    assert.deepEqual(book.snapshot(5).bids, [
      [100n, 1n],
      [99n, 1n],
    ]);
    // Without an expire() call, the next submit removes the expired order before matching.
    const taker = book.submit(limit('sell', 99n, 1n), NOW + 20);
    assert.deepEqual(
      taker.expired.map((o) => o.id),
      ['long'],
    );
    assert.deepEqual(fillSummary(taker.fills), [['gtc', 99n, 1n]]);
  });

  test('an invalid order is rejected: missing limit price, zero quantity, GTD without expiry, post-only IOC', () => {
    const book = new OrderBook();
    const invalid: EngineOrder[] = [
      { id: 'a', ownerId: 'x', side: 'buy', type: 'limit', quantity: 1n, timeInForce: 'GTC' },
      limit('buy', 100n, 0n),
      limit('buy', 100n, 1n, { timeInForce: 'GTD' }),
      limit('buy', 100n, 1n, { timeInForce: 'IOC', postOnly: true }),
      market('buy', 1n, { price: 100n }),
    ];
    for (const order of invalid) assert.equal(book.submit(order, NOW).rejectReason, 'invalid');
  });

  test('an id already resting is rejected as a duplicate', () => {
    const book = new OrderBook();
    book.submit(limit('buy', 100n, 1n, { id: 'same' }), NOW);
    assert.equal(book.submit(limit('buy', 99n, 1n, { id: 'same' }), NOW).rejectReason, 'duplicate-id');
  });

  test('cancel removes a resting order and returns it; a second cancel returns null', () => {
    const book = new OrderBook();
    book.submit(limit('buy', 100n, 1n, { id: 'a' }), NOW);
    book.submit(limit('buy', 100n, 2n, { id: 'b' }), NOW);
    assert.equal(book.cancel('a')?.remaining, 1n);
    assert.equal(book.cancel('a'), null);
    assert.equal(book.cancel('unknown'), null);
    assert.deepEqual(book.snapshot(5).bids, [[100n, 2n]]);
    book.cancel('b');
    assert.equal(book.bestBid(), null);
    assert.equal(book.size, 0);
  });

  test('amending the quantity down keeps time priority', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 5n, { id: 'first' }), NOW);
    book.submit(limit('sell', 100n, 5n, { id: 'second' }), NOW);
    const amended = book.amend('first', { quantity: 2n }, NOW);
    assert.equal(amended?.status, 'new');
    assert.equal(book.order('first')?.remaining, 2n);
    assert.deepEqual(book.snapshot(1).asks, [[100n, 7n]]);
    const result = book.submit(limit('buy', 100n, 3n), NOW);
    assert.deepEqual(fillSummary(result.fills), [
      ['first', 100n, 2n],
      ['second', 100n, 1n],
    ]);
  });

  test('amending the quantity up or the price loses time priority', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 5n, { id: 'first' }), NOW);
    book.submit(limit('sell', 100n, 5n, { id: 'second' }), NOW);
    book.submit(limit('sell', 101n, 5n, { id: 'third' }), NOW);
    book.amend('first', { quantity: 6n }, NOW);
    book.amend('third', { price: 100n }, NOW);
    const result = book.submit(limit('buy', 100n, 16n), NOW);
    assert.deepEqual(fillSummary(result.fills), [
      ['second', 100n, 5n],
      ['first', 100n, 6n],
      ['third', 100n, 5n],
    ]);
  });

  test('amending the quantity is the new remaining quantity, after earlier fills', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 10n, { id: 'ask' }), NOW);
    book.submit(limit('buy', 100n, 4n), NOW);
    const amended = book.amend('ask', { quantity: 3n }, NOW);
    assert.equal(amended?.status, 'partially-filled');
    assert.equal(book.order('ask')?.remaining, 3n);
    assert.equal(book.order('ask')?.filled, 4n);
    assert.equal(book.order('ask')?.quantity, 7n);
  });

  test('amending a price across the spread takes liquidity like a new order', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 101n, 2n, { id: 'ask' }), NOW);
    book.submit(limit('buy', 99n, 5n, { id: 'bid' }), NOW);
    const result = book.amend('bid', { price: 101n }, NOW);
    assert.equal(result?.status, 'partially-filled');
    assert.deepEqual(fillSummary(result?.fills ?? []), [['ask', 101n, 2n]]);
    assert.equal(result?.remaining, 3n);
    assert.deepEqual(book.snapshot(5), { bids: [[101n, 3n]], asks: [] });
  });

  test('amending a post-only order across the spread is rejected and leaves it resting', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 101n, 2n), NOW);
    book.submit(limit('buy', 99n, 5n, { id: 'bid', postOnly: true }), NOW);
    const result = book.amend('bid', { price: 101n }, NOW);
    assert.equal(result?.rejectReason, 'post-only-would-take');
    assert.equal(book.order('bid')?.price, 99n);
  });

  test('amending an order that is not resting returns null', () => {
    assert.equal(new OrderBook().amend('nope', { quantity: 1n }, NOW), null);
  });

  test('self-trade prevention cancels the resting order of the same owner and matches on', () => {
    const book = new OrderBook();
    book.submit(limit('sell', 100n, 3n, { id: 'own-ask', ownerId: 'alice' }), NOW);
    book.submit(limit('sell', 100n, 3n, { id: 'bob-ask', ownerId: 'bob' }), NOW);
    const result = book.submit(limit('buy', 100n, 5n, { id: 'alice-bid', ownerId: 'alice' }), NOW);
    assert.deepEqual(
      result.selfTradeCancelled.map((o) => o.id),
      ['own-ask'],
    );
    assert.deepEqual(fillSummary(result.fills), [['bob-ask', 100n, 3n]]);
    assert.equal(result.status, 'partially-filled');
    assert.equal(book.order('own-ask'), null);
    assert.deepEqual(book.snapshot(5), { bids: [[100n, 2n]], asks: [] });
  });
});

describe('restoring a book from a record', () => {
  const resting = (id: string, price: bigint, remaining: bigint, filled = 0n) => ({
    id,
    ownerId: `owner-${id}`,
    side: 'sell' as const,
    price,
    remaining,
    filled,
    timeInForce: 'GTC' as const,
    postOnly: false,
  });

  test('restored orders keep their fills and trade in the order restored, without matching on the way in', () => {
    const book = new OrderBook();
    book.restore(resting('second', 100n, 4n, 6n));
    book.restore(resting('first-in-queue-later', 100n, 5n));
    book.restore({ ...resting('gtd', 101n, 2n), timeInForce: 'GTD', expiresAt: NOW - 1 });
    assert.equal(book.order('second')?.filled, 6n);
    assert.equal(book.order('second')?.quantity, 10n);
    const taken = book.submit(limit('buy', 101n, 6n, { id: 'taker' }), NOW);
    assert.deepEqual(
      taken.expired.map((o) => o.id),
      ['gtd'],
      'a restored GTD past its time expires at the next call',
    );
    assert.deepEqual(fillSummary(taken.fills), [
      ['second', 100n, 4n],
      ['first-in-queue-later', 100n, 2n],
    ]);
  });

  test('a record that cannot rest is refused, and the book is left as it was', () => {
    const book = new OrderBook();
    book.restore(resting('a', 100n, 1n));
    assert.throws(() => book.restore(resting('a', 100n, 1n)), { code: 'TRD_ERR_INVALID_RESTORE' });
    assert.throws(() => book.restore(resting('b', 100n, 0n)), { code: 'TRD_ERR_INVALID_RESTORE' });
    assert.throws(() => book.restore({ ...resting('c', 100n, 1n), timeInForce: 'IOC' as 'GTC' }), { code: 'TRD_ERR_INVALID_RESTORE' });
    assert.throws(() => book.restore({ ...resting('d', 100n, 1n), expiresAt: NOW }), { code: 'TRD_ERR_INVALID_RESTORE' });
    assert.deepEqual(book.snapshot(5), { bids: [], asks: [[100n, 1n]] });
  });
});

describe('scale', () => {
  const scale = createScale({ tickSize: '0.5', lotSize: '0.00001' });

  test('prices round-trip exactly through ticks', () => {
    assert.equal(scale.priceToTicks('65000.5'), 130001n);
    assert.equal(scale.ticksToPrice(130001n), '65000.5');
    assert.equal(scale.ticksToPrice(130000n), '65000');
    assert.equal(scale.priceToTicks('65000.50'), 130001n);
    const cents = createScale({ tickSize: '0.01', lotSize: '1' });
    assert.equal(cents.ticksToPrice(cents.priceToTicks('0.07')), '0.07');
    assert.equal(cents.ticksToPrice(123456789012345678901234567890n), '1234567890123456789012345678.9');
  });

  test('quantities round-trip exactly through lots', () => {
    assert.equal(scale.quantityToLots('0.00012'), 12n);
    assert.equal(scale.lotsToQuantity(12n), '0.00012');
    assert.equal(scale.lotsToQuantity(100000n), '1');
  });

  test('a price off the tick or a quantity off the lot throws a typed error', () => {
    assert.throws(() => scale.priceToTicks('65000.25'), PriceOffTickError);
    assert.throws(() => scale.quantityToLots('0.000001'), QuantityOffLotError);
    assert.throws(() => scale.priceToTicks('6.5e4'), InvalidDecimalError);
    assert.throws(() => scale.priceToTicks('.5'), InvalidDecimalError);
  });

  test('the notional is exact', () => {
    assert.equal(scale.notional(130001n, 12n), '7.80006');
    const s = createScale({ tickSize: '0.01', lotSize: '0.0001' });
    assert.equal(s.notional(s.priceToTicks('0.1'), s.quantityToLots('0.2')), '0.02');
  });
});

describe('fees', () => {
  test('rounds up to the given decimals, exactly', () => {
    assert.equal(feeFor('100.01', '2.5', 2), '0.03');
    assert.equal(feeFor('100', '10', 2), '0.1');
    assert.equal(feeFor('7.800006', '1', 8), '0.00078001');
    assert.equal(feeFor('7.8', '1', 8), '0.00078');
    assert.equal(feeFor('123456789012345678901234.5', '1', 2), '12345678901234567890.13');
    assert.equal(feeFor('0', '10', 2), '0');
  });

  test('a maker rebate (negative rate) rounds towards zero, never over-paid', () => {
    assert.equal(feeFor('100.01', '-2.5', 2), '-0.02');
  });

  test('refuses numbers in exponent notation', () => {
    assert.throws(() => feeFor('1e3', '1', 2), InvalidDecimalError);
  });
});

describe('synthetic market', () => {
  const options = { seed: 42, midPrice: '100', tickSize: '0.5', lotSize: '0.01', levels: 3, levelQuantity: '1', volatilityTicks: 2 };

  test('always leaves depth on both sides, owned by the market maker', () => {
    const book = new OrderBook();
    const market = createSyntheticMarket(options);
    for (let now = 0; now < 50; now++) {
      market.step(book, now);
      const snapshot = book.snapshot(10);
      assert.equal(snapshot.bids.length, 3);
      assert.equal(snapshot.asks.length, 3);
      assert.equal(book.size, 6);
    }
  });

  test('the same seed walks the same way', () => {
    const walk = () => {
      const book = new OrderBook();
      const market = createSyntheticMarket(options);
      return Array.from({ length: 20 }, (_, now) => market.step(book, now).midTicks);
    };
    assert.deepEqual(walk(), walk());
  });

  test('fills a resting order when the market moves through it', () => {
    const book = new OrderBook();
    const market = createSyntheticMarket(options);
    market.step(book, 0);
    // One tick above the market maker's top ask level: only a rising mid can reach it.
    const price = market.scale.priceToTicks('102');
    book.submit(limit('sell', price, 50n, { id: 'user-ask', ownerId: 'user' }), 0);
    const fills = [];
    for (let now = 1; now < 200 && fills.length === 0; now++) {
      fills.push(...market.step(book, now).fills.filter((f) => f.makerOrderId === 'user-ask'));
    }
    assert.equal(fills[0]?.price, price);
    assert.equal(fills[0]?.takerOwnerId, 'market-maker');
  });

  test('a replayed bid through a resting ask fills it at the ask price', () => {
    const book = new OrderBook();
    const market = createSyntheticMarket(options);
    book.submit(limit('sell', market.scale.priceToTicks('100.5'), 100n, { id: 'user-ask', ownerId: 'user' }), 0);
    const [step] = market.replay(book, [{ timestamp: 1, bids: [['101', '0.4']], asks: [['102', '1']] }]);
    assert.deepEqual(fillSummary(step?.fills ?? []), [['user-ask', 201n, 40n]]);
  });

  test('replays recorded books as the market maker’s quotes', () => {
    const book = new OrderBook();
    const market = createSyntheticMarket(options);
    const replay = market.replay(book, [
      { timestamp: 1, bids: [['99.5', '1.5']], asks: [['100.5', '2']] },
      { timestamp: 2, bids: [['100', '1']], asks: [['101', '1']] },
    ]);
    replay.next();
    assert.deepEqual(book.snapshot(5), { bids: [[199n, 150n]], asks: [[201n, 200n]] });
    const second = replay.next();
    assert.equal(second.done, false);
    assert.deepEqual(book.snapshot(5), { bids: [[200n, 100n]], asks: [[202n, 100n]] });
    assert.equal(replay.next().done, true);
  });
});

describe('candles', () => {
  test('builds OHLCV per interval from trades', () => {
    const result = candles(
      [
        { time: 1_000, price: '100', quantity: '1' },
        { time: 59_999, price: '102.5', quantity: '0.5' },
        { time: 30_000, price: '99', quantity: '0.25' },
        { time: 60_000, price: '101', quantity: '2' },
      ],
      60_000,
    );
    assert.deepEqual(result, [
      { openTime: 0, closeTime: 60_000, open: '100', high: '102.5', low: '99', close: '102.5', volume: '1.75', trades: 3 },
      { openTime: 60_000, closeTime: 120_000, open: '101', high: '101', low: '101', close: '101', volume: '2', trades: 1 },
    ]);
  });
});

describe('long queues', () => {
  test('cancelling most of a long queue keeps first-in-first-out among the rest', () => {
    const book = new OrderBook();
    for (let i = 0; i < 500; i++) book.submit(limit('sell', 100n, 1n, { id: `q${i}` }), NOW);
    const kept = [];
    for (let i = 0; i < 500; i++) {
      if (i % 7 === 3) kept.push(`q${i}`);
      else book.cancel(`q${i}`);
    }
    for (let i = 0; i < 300; i++) book.submit(limit('sell', 100n, 1n, { id: `r${i}` }), NOW);
    const result = book.submit(market('buy', BigInt(kept.length + 300)), NOW);
    assert.deepEqual(
      result.fills.map((f) => f.makerOrderId),
      [...kept, ...Array.from({ length: 300 }, (_, i) => `r${i}`)],
    );
    assert.equal(book.size, 0);
  });
});

test('amending an order that is not resting expires nothing, so no expiry goes unreported (found by fast-check)', () => {
  const book = new OrderBook();
  book.submit(limit('buy', 95n, 1n, { id: 'gtd', timeInForce: 'GTD', expiresAt: NOW + 1 }), NOW);
  assert.equal(book.amend('no-such-order', {}, NOW + 1), null);
  assert.deepEqual(
    book.expire(NOW + 1).map((order) => order.id),
    ['gtd'],
  );
});

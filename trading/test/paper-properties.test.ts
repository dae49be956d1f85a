import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type EngineOrder, OrderBook, type RestingOrder, type SubmitResult } from '../src/venues/paper/index.ts';

const OWNERS = ['alice', 'bob', 'carol'];

const commandsFor = (minPrice: bigint, maxPrice: bigint, maxLength: number) => {
  const submitCommand = fc.record({
    kind: fc.constant('submit' as const),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    market: fc.boolean(),
    price: fc.bigInt({ min: minPrice, max: maxPrice }),
    quantity: fc.bigInt({ min: 1n, max: 6n }),
    timeInForce: fc.constantFrom('GTC' as const, 'GTC' as const, 'IOC' as const, 'FOK' as const, 'GTD' as const),
    postOnly: fc.boolean(),
    owner: fc.nat({ max: OWNERS.length - 1 }),
    expiresIn: fc.integer({ min: -2, max: 20 }),
    reuseId: fc.option(fc.nat(), { freq: 8 }),
  });
  const cancelCommand = fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() });
  const amendCommand = fc.record({
    kind: fc.constant('amend' as const),
    pick: fc.nat(),
    price: fc.option(fc.bigInt({ min: minPrice, max: maxPrice })),
    quantity: fc.option(fc.bigInt({ min: 1n, max: 8n })),
  });
  const expireCommand = fc.record({ kind: fc.constant('expire' as const) });
  const command = fc.record({
    elapsed: fc.nat({ max: 3 }),
    action: fc.oneof(
      { arbitrary: submitCommand, weight: 6 },
      { arbitrary: cancelCommand, weight: 2 },
      { arbitrary: amendCommand, weight: 2 },
      { arbitrary: expireCommand, weight: 1 },
    ),
  });
  return fc.array(command, { maxLength });
};

/** What the book should hold, rebuilt only from what its results reported. */
class Ledger {
  readonly resting = new Map<string, { remaining: bigint; price: bigint; side: 'buy' | 'sell'; owner: string }>();
  readonly everSeen: string[] = [];
  submitted = 0n;
  filled = 0n;
  cancelled = 0n;

  removed(orders: readonly RestingOrder[]): void {
    for (const order of orders) {
      const known = this.resting.get(order.id);
      assert.ok(known, `${order.id} reported removed but was not resting`);
      assert.equal(order.remaining, known.remaining);
      this.cancelled += order.remaining;
      this.resting.delete(order.id);
    }
  }

  /** Applies a taker's fills; returns the quantity the taker got. */
  taken(result: SubmitResult, taker: { id: string; side: 'buy' | 'sell'; owner: string; limit: bigint | undefined }): bigint {
    let got = 0n;
    let previous: bigint | undefined;
    for (const fill of result.fills) {
      const maker = this.resting.get(fill.makerOrderId);
      assert.ok(maker, `fill against ${fill.makerOrderId}, which was not resting`);
      assert.notEqual(maker.side, taker.side);
      assert.notEqual(fill.makerOwnerId, fill.takerOwnerId, 'self-trade');
      assert.equal(fill.makerOwnerId, maker.owner);
      assert.equal(fill.takerOrderId, taker.id);
      assert.equal(fill.price, maker.price, 'fills at the maker’s price');
      if (taker.limit !== undefined)
        assert.ok(taker.side === 'buy' ? fill.price <= taker.limit : fill.price >= taker.limit, 'within the taker’s limit');
      if (previous !== undefined) assert.ok(taker.side === 'buy' ? fill.price >= previous : fill.price <= previous, 'best price first');
      previous = fill.price;
      assert.ok(fill.quantity > 0n && fill.quantity <= maker.remaining);
      maker.remaining -= fill.quantity;
      assert.equal(fill.makerRemaining, maker.remaining);
      if (maker.remaining === 0n) this.resting.delete(fill.makerOrderId);
      got += fill.quantity;
      this.filled += fill.quantity;
    }
    return got;
  }

  check(book: OrderBook): void {
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (bid !== null && ask !== null) assert.ok(bid < ask, `crossed book: ${bid} ≥ ${ask}`);
    assert.equal(book.size, this.resting.size);
    let resting = 0n;
    for (const [id, expected] of this.resting) {
      const order = book.order(id);
      assert.ok(order, `${id} should be resting`);
      assert.equal(order.remaining, expected.remaining);
      assert.equal(order.price, expected.price);
      resting += expected.remaining;
    }
    for (const id of this.everSeen) if (!this.resting.has(id)) assert.equal(book.order(id), null, `${id} was removed but rests`);
    const snapshot = book.snapshot(1_000);
    const levels = [...snapshot.bids, ...snapshot.asks];
    assert.equal(
      levels.reduce((sum, [, quantity]) => sum + quantity, 0n),
      resting,
    );
    for (const [, quantity] of levels) assert.ok(quantity > 0n, 'no empty level');
    for (let i = 1; i < snapshot.bids.length; i++)
      assert.ok((snapshot.bids[i - 1] as [bigint, bigint])[0] > (snapshot.bids[i] as [bigint, bigint])[0]);
    for (let i = 1; i < snapshot.asks.length; i++)
      assert.ok((snapshot.asks[i - 1] as [bigint, bigint])[0] < (snapshot.asks[i] as [bigint, bigint])[0]);
    // Every lot that came in is filled (on both sides of a fill), resting, or was cancelled.
    assert.equal(this.submitted, 2n * this.filled + resting + this.cancelled);
  }
}

test('random submits, cancels, amends and expiries keep the book consistent', () => {
  fc.assert(fc.property(commandsFor(95n, 105n, 120), runAndCheck), { numRuns: 400 });
});

test('long sequences over a wide book keep it consistent (level search, queue compaction)', () => {
  fc.assert(fc.property(commandsFor(1n, 300n, 1_500), runAndCheck), { numRuns: 30 });
});

type Command = ReturnType<typeof commandsFor> extends fc.Arbitrary<infer C> ? C : never;

function runAndCheck(commands: Command): void {
  const book = new OrderBook();
  const ledger = new Ledger();
  let now = 0;
  let nextId = 0;
  const pick = (n: number) => ledger.everSeen[n % Math.max(1, ledger.everSeen.length)] ?? 'none';

  for (const { elapsed, action } of commands) {
    now += elapsed;
    if (action.kind === 'submit') {
      const id = action.reuseId !== null && ledger.everSeen.length > 0 ? pick(action.reuseId) : `o${nextId++}`;
      const owner = OWNERS[action.owner] as string;
      const order: EngineOrder = action.market
        ? {
            id,
            ownerId: owner,
            side: action.side,
            type: 'market',
            quantity: action.quantity,
            timeInForce: action.timeInForce === 'FOK' ? 'FOK' : 'IOC',
          }
        : {
            id,
            ownerId: owner,
            side: action.side,
            type: 'limit',
            price: action.price,
            quantity: action.quantity,
            timeInForce: action.timeInForce,
            ...(action.postOnly && (action.timeInForce === 'GTC' || action.timeInForce === 'GTD') ? { postOnly: true } : {}),
            ...(action.timeInForce === 'GTD' ? { expiresAt: now + action.expiresIn } : {}),
          };
      const wasResting = ledger.resting.has(id);
      const result = book.submit(order, now);
      ledger.removed(result.expired);
      if (!ledger.everSeen.includes(id)) ledger.everSeen.push(id);
      if (result.status === 'rejected') {
        assert.deepEqual(result.fills, []);
        assert.equal(result.selfTradeCancelled.length, 0);
        assert.equal(result.remaining, order.quantity);
        if (wasResting && !result.expired.some((o) => o.id === id)) assert.equal(result.rejectReason, 'duplicate-id');
      } else {
        assert.ok(!wasResting || result.expired.some((o) => o.id === id), 'a resting id was accepted again');
        ledger.submitted += order.quantity;
        ledger.removed(result.selfTradeCancelled);
        const got = ledger.taken(result, { id, side: order.side, owner, limit: order.price });
        assert.equal(result.remaining, order.quantity - got);
        if (result.status === 'filled') assert.equal(result.remaining, 0n);
        else if (result.status === 'cancelled') ledger.cancelled += result.remaining;
        else ledger.resting.set(id, { remaining: result.remaining, price: order.price as bigint, side: order.side, owner });
        if (order.timeInForce === 'FOK') assert.equal(result.status, 'filled');
      }
    } else if (action.kind === 'cancel') {
      const id = pick(action.pick);
      const expected = ledger.resting.get(id);
      const cancelled = book.cancel(id);
      if (expected === undefined) assert.equal(cancelled, null);
      else ledger.removed([cancelled as RestingOrder]);
    } else if (action.kind === 'amend') {
      const id = pick(action.pick);
      const changes = {
        ...(action.price !== null ? { price: action.price } : {}),
        ...(action.quantity !== null ? { quantity: action.quantity } : {}),
      };
      const result = book.amend(id, changes, now);
      if (result === null) {
        assert.ok(!ledger.resting.has(id));
        continue;
      }
      ledger.removed(result.expired);
      const before = ledger.resting.get(id);
      if (result.status === 'rejected') {
        assert.deepEqual(result.fills, []);
      } else {
        assert.ok(before);
        const quantity = changes.quantity ?? before.remaining;
        const price = changes.price ?? before.price;
        // The amend moves the order's open quantity from its old remaining to the new one.
        ledger.submitted += quantity - before.remaining;
        ledger.resting.delete(id);
        ledger.removed(result.selfTradeCancelled);
        const got = ledger.taken(result, { id, side: before.side, owner: before.owner, limit: price });
        assert.equal(result.remaining, quantity - got);
        if (result.remaining > 0n) ledger.resting.set(id, { ...before, remaining: result.remaining, price });
      }
    } else {
      ledger.removed(book.expire(now));
    }
    ledger.check(book);
  }
}

test('a FOK that is rejected changes nothing, whatever the book', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          side: fc.constantFrom('buy' as const, 'sell' as const),
          price: fc.bigInt({ min: 95n, max: 105n }),
          quantity: fc.bigInt({ min: 1n, max: 5n }),
        }),
        {
          maxLength: 30,
        },
      ),
      fc.record({
        side: fc.constantFrom('buy' as const, 'sell' as const),
        price: fc.bigInt({ min: 95n, max: 105n }),
        quantity: fc.bigInt({ min: 1n, max: 40n }),
      }),
      (resting, fok) => {
        const book = new OrderBook();
        resting.forEach((order, i) => {
          book.submit({ id: `r${i}`, ownerId: `owner-${i % 3}`, type: 'limit', timeInForce: 'GTC', ...order }, 0);
        });
        const before = book.snapshot(1_000);
        const result = book.submit({ id: 'fok', ownerId: 'owner-0', type: 'limit', timeInForce: 'FOK', ...fok }, 0);
        if (result.status === 'rejected') assert.deepEqual(book.snapshot(1_000), before);
        else assert.equal(result.status, 'filled');
      },
    ),
    { numRuns: 300 },
  );
});

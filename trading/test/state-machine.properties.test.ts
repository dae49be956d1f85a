import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import {
  AVG_PRICE_DIGITS,
  applyOrderEvent,
  createOrderState,
  isTerminalStatus,
  type OrderEvent,
  type OrderState,
  type ResolvedOrderStatus,
} from '../src/orders/state-machine.ts';

// The reference arithmetic, independent of the module under test.
const D = Decimal.clone({ precision: 100, toExpNeg: -9e15, toExpPos: 9e15 });

const decimalText = (maxUnits: number, maxScale: number) =>
  fc
    .tuple(fc.integer({ min: 1, max: maxUnits }), fc.integer({ min: 0, max: maxScale }))
    .map(([units, scale]) => new D(units).div(new D(10).pow(scale)).toFixed());

/** An event described relative to whatever state it meets, so sequences stay mostly meaningful. */
type Recipe =
  | {
      kind: 'plain';
      type: 'accepted' | 'rejected' | 'cancel-requested' | 'cancel-rejected' | 'cancelled' | 'replace-rejected' | 'expired' | 'timed-out';
    }
  | { kind: 'fill'; percentOfLeaves: number; price: string }
  | { kind: 'replace-requested'; percentOfQuantity: number; price: string | null }
  | { kind: 'replaced'; percentOfQuantity: number | null }
  | { kind: 'resolved'; status: ResolvedOrderStatus; percentOfLeaves: number; avgPrice: string | null; percentOfQuantity: number | null };

const resolvedStatuses: ResolvedOrderStatus[] = [
  'pending-new',
  'new',
  'partially-filled',
  'filled',
  'cancelled',
  'rejected',
  'expired',
  'pending-cancel',
];

const recipe: fc.Arbitrary<Recipe> = fc.oneof(
  fc.record({
    kind: fc.constant('plain' as const),
    type: fc.constantFrom(
      'accepted',
      'rejected',
      'cancel-requested',
      'cancel-rejected',
      'cancelled',
      'replace-rejected',
      'expired',
      'timed-out',
    ),
  }),
  // Fills weigh more: they are what moves cum. Up to 130% of leaves, so some overfill.
  {
    arbitrary: fc.record({
      kind: fc.constant('fill' as const),
      percentOfLeaves: fc.integer({ min: 0, max: 130 }),
      price: decimalText(10_000_000, 4),
    }),
    weight: 4,
  },
  fc.record({
    kind: fc.constant('replace-requested' as const),
    percentOfQuantity: fc.integer({ min: 0, max: 300 }),
    price: fc.option(decimalText(10_000_000, 4), { nil: null }),
  }),
  fc.record({ kind: fc.constant('replaced' as const), percentOfQuantity: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }) }),
  fc.record({
    kind: fc.constant('resolved' as const),
    status: fc.constantFrom(...resolvedStatuses),
    percentOfLeaves: fc.integer({ min: 0, max: 130 }),
    avgPrice: fc.option(decimalText(10_000_000, 4), { nil: null }),
    percentOfQuantity: fc.option(fc.integer({ min: 50, max: 200 }), { nil: null }),
  }),
);

const percentOf = (value: string, percent: number) => new D(value).times(percent).div(100).toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed();

function concretize(state: OrderState, r: Recipe): OrderEvent {
  switch (r.kind) {
    case 'plain':
      return { type: r.type };
    case 'fill':
      return { type: 'fill', quantity: percentOf(state.leavesQuantity, r.percentOfLeaves), price: r.price };
    case 'replace-requested':
      return {
        type: 'replace-requested',
        quantity: percentOf(state.quantity, r.percentOfQuantity),
        ...(r.price === null ? {} : { price: r.price }),
      };
    case 'replaced':
      return r.percentOfQuantity === null
        ? { type: 'replaced' }
        : { type: 'replaced', quantity: percentOf(state.quantity, r.percentOfQuantity) };
    case 'resolved': {
      const quantity = r.percentOfQuantity === null ? undefined : percentOf(state.quantity, r.percentOfQuantity);
      const cum = new D(state.cumQuantity).plus(percentOf(state.leavesQuantity, r.percentOfLeaves)).toFixed();
      return {
        type: 'resolved',
        status: r.status,
        cumQuantity: cum,
        avgPrice: r.avgPrice,
        ...(quantity === undefined ? {} : { quantity }),
      };
    }
  }
}

function assertInvariants(state: OrderState): void {
  const quantity = new D(state.quantity);
  const cum = new D(state.cumQuantity);
  const leaves = new D(state.leavesQuantity);
  assert.ok(quantity.gt(0), 'quantity > 0');
  assert.ok(cum.gte(0) && cum.lte(quantity), '0 <= cum <= quantity');
  if (isTerminalStatus(state.status)) {
    assert.ok(leaves.isZero(), 'terminal: leaves = 0');
    if (state.status === 'filled') assert.ok(cum.eq(quantity), 'filled: cum = quantity');
    if (state.status === 'rejected') assert.ok(cum.isZero(), 'rejected: cum = 0');
  } else {
    assert.ok(
      cum.plus(leaves).eq(quantity),
      `live: cum + leaves = quantity (${state.cumQuantity} + ${state.leavesQuantity} vs ${state.quantity})`,
    );
  }
  if (state.status === 'new' || state.status === 'pending-new') assert.ok(cum.isZero(), `${state.status}: cum = 0`);
  if (state.status === 'partially-filled') assert.ok(cum.gt(0) && cum.lt(quantity), 'partially-filled: 0 < cum < quantity');
  if (cum.isZero()) {
    assert.equal(state.avgPrice, null);
  } else {
    const expected = new D(state.cumNotional).div(cum).toSignificantDigits(AVG_PRICE_DIGITS, Decimal.ROUND_HALF_EVEN).toFixed();
    assert.equal(state.avgPrice, expected, 'avgPrice = cumNotional / cum');
  }
  if (state.pendingReplace !== null) assert.ok(state.status === 'pending-replace' || state.status === 'unknown');
  for (const text of [state.quantity, state.cumQuantity, state.leavesQuantity, state.cumNotional, state.avgPrice ?? '0']) {
    assert.match(text, /^\d+(\.\d*[1-9])?$/, 'plain decimal without trailing zeros');
  }
}

const REFUSAL_CODES = new Set(['TRD_ERR_INVALID_TRANSITION', 'TRD_ERR_INVALID_ORDER_EVENT']);

test('any sequence of events keeps the invariants; refused events throw a coded error and change nothing', () => {
  fc.assert(
    fc.property(
      decimalText(1_000_000, 6),
      fc.option(decimalText(10_000_000, 4), { nil: null }),
      fc.array(recipe, { minLength: 1, maxLength: 40 }),
      (quantity, price, recipes) => {
        let state = createOrderState({ quantity, price });
        assertInvariants(state);
        // The model: notional is the exact sum of applied fills, reset by a resolution that adds fills we never saw.
        let notional = new D(0);
        for (const r of recipes) {
          const event = concretize(state, r);
          const before = structuredClone(state);
          let next: OrderState;
          try {
            next = applyOrderEvent(state, event);
          } catch (error) {
            assert.ok(REFUSAL_CODES.has((error as { code?: string }).code ?? ''), `unexpected error ${String(error)}`);
            assert.deepEqual(state, before, 'a refused event leaves the state as it was');
            continue;
          }
          assert.ok(!isTerminalStatus(state.status), `left terminal ${state.status} with ${event.type}`);
          if (state.status === 'unknown') assert.equal(event.type, 'resolved', 'only a lookup resolves unknown');
          assert.ok(new D(next.cumQuantity).gte(state.cumQuantity), 'cum never decreases');
          if (event.type === 'fill') {
            assert.ok(new D(event.quantity).lte(state.leavesQuantity), 'no fill above leaves');
            notional = notional.plus(new D(event.quantity).times(event.price));
          }
          if (event.type === 'resolved' && new D(event.cumQuantity).gt(state.cumQuantity)) {
            notional = new D(event.avgPrice ?? 'NaN').times(event.cumQuantity);
          }
          if (event.type === 'replaced' || event.type === 'replace-requested') {
            assert.ok(new D(next.pendingReplace?.quantity ?? next.quantity).gte(next.cumQuantity), 'no replace below cum');
          }
          assert.ok(new D(next.cumNotional).eq(notional), `cumNotional ${next.cumNotional} vs model ${notional.toFixed()}`);
          assertInvariants(next);
          state = next;
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('every event offered to a terminal order is refused, and the order stays usable for reads', () => {
  fc.assert(
    fc.property(
      fc.array(recipe, { minLength: 1, maxLength: 40 }),
      fc.array(recipe, { minLength: 1, maxLength: 10 }),
      (toTerminal, afterwards) => {
        let state = createOrderState({ quantity: '10', price: '100' });
        for (const r of toTerminal) {
          try {
            state = applyOrderEvent(state, concretize(state, r));
          } catch {
            // refused: keep the prior state
          }
        }
        fc.pre(isTerminalStatus(state.status));
        const snapshot = structuredClone(state);
        for (const r of afterwards) {
          assert.throws(
            () => applyOrderEvent(state, concretize(state, r)),
            (error: { code?: string }) => REFUSAL_CODES.has(error.code ?? ''),
          );
        }
        assert.deepEqual(state, snapshot);
        assertInvariants(state);
      },
    ),
    { numRuns: 200 },
  );
});

test('after a refused event the prior state still takes the legal ones', () => {
  fc.assert(
    fc.property(decimalText(1_000_000, 6), fc.integer({ min: 101, max: 500 }), (quantity, overfillPercent) => {
      const live = applyOrderEvent(createOrderState({ quantity }), { type: 'accepted' });
      assert.throws(() => applyOrderEvent(live, { type: 'fill', quantity: percentOf(quantity, overfillPercent), price: '1' }));
      assert.throws(() => applyOrderEvent(live, { type: 'replaced' }));
      const filled = applyOrderEvent(live, { type: 'fill', quantity, price: '1' });
      assert.equal(filled.status, 'filled');
      assertInvariants(filled);
    }),
  );
});

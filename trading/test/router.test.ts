import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { type BookLevel, consolidateBook, type RoutePlan, routeOrder, type VenueBook } from '../src/router/index.ts';

const D = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN });

/** A venue with no fee, no balance limit and no lot unless the test says so. */
function venue(name: string, book: Partial<Omit<VenueBook, 'venue'>>): VenueBook {
  return { venue: name, bids: [], asks: [], takerFeeBps: '0', ...book };
}

/** The children as [venue, quantity, limitPrice] rows, to compare a plan at a glance. */
const legs = (plan: RoutePlan) => plan.children.map((child) => [child.venue, child.quantity, child.limitPrice]);

/** Saving in bps, rounded half-even to 4 places as the router documents. */
function savingBps(side: 'buy' | 'sell', plan: string, single: string): string {
  const difference = side === 'buy' ? new D(single).minus(plan) : new D(plan).minus(single);
  return difference.div(single).times(10_000).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed();
}

/*
 * Three venues quoting BTC/USDT. Effective prices, price × (1 ± fee):
 *
 *   alpha   10 bps  asks 60000 × 2 → 60060       60010 × 2 → 60070.01     60050 × 6 → 60110.05
 *                   bids 59990 × 2 → 59930.01    59980 × 3 → 59920.02
 *   bravo   25 bps  asks 59900 × 2 → 60049.75    59950 × 4 → 60099.875    60100 × 10 → 60250.25
 *                   bids 60100 × 2 → 59949.75    60000 × 6 → 59850
 *   charlie  5 bps  asks 60020 × 2 → 60050.01    60040 × 3 → 60070.02     60080 × 6 → 60110.04
 *                   bids 59995 × 3 → 59965.0025  59950 × 4 → 59920.025
 */
const THREE_VENUES: VenueBook[] = [
  venue('alpha', {
    takerFeeBps: '10',
    asks: [
      ['60000', '2'],
      ['60010', '2'],
      ['60050', '6'],
    ],
    bids: [
      ['59990', '2'],
      ['59980', '3'],
    ],
  }),
  venue('bravo', {
    takerFeeBps: '25',
    asks: [
      ['59900', '2'],
      ['59950', '4'],
      ['60100', '10'],
    ],
    bids: [
      ['60100', '2'],
      ['60000', '6'],
    ],
  }),
  venue('charlie', {
    takerFeeBps: '5',
    asks: [
      ['60020', '2'],
      ['60040', '3'],
      ['60080', '6'],
    ],
    bids: [
      ['59995', '3'],
      ['59950', '4'],
    ],
  }),
];

test('the consolidated book ranks every venue’s levels by fee-adjusted price and keeps the venue', () => {
  const book = consolidateBook(THREE_VENUES);
  assert.deepEqual(
    book.asks.map((level) => [level.venue, level.price, level.quantity, level.effectivePrice]),
    [
      ['bravo', '59900', '2', '60049.75'],
      ['charlie', '60020', '2', '60050.01'],
      ['alpha', '60000', '2', '60060'],
      ['alpha', '60010', '2', '60070.01'],
      ['charlie', '60040', '3', '60070.02'],
      ['bravo', '59950', '4', '60099.875'],
      ['charlie', '60080', '6', '60110.04'],
      ['alpha', '60050', '6', '60110.05'],
      ['bravo', '60100', '10', '60250.25'],
    ],
  );
  assert.deepEqual(
    book.bids.map((level) => [level.venue, level.price, level.effectivePrice]),
    [
      ['charlie', '59995', '59965.0025'],
      ['bravo', '60100', '59949.75'],
      ['alpha', '59990', '59930.01'],
      ['charlie', '59950', '59920.025'],
      ['alpha', '59980', '59920.02'],
      ['bravo', '60000', '59850'],
    ],
  );
});

test('levels at the same effective price are ordered by venue name, whatever the input order', () => {
  const books = [venue('zulu', { asks: [['100', '1']] }), venue('alpha', { asks: [['100', '1']] })];
  assert.deepEqual(
    consolidateBook(books).asks.map((level) => level.venue),
    ['alpha', 'zulu'],
  );
  assert.deepEqual(legs(routeOrder({ side: 'buy', quantity: '1' }, books)), [['alpha', '1', '100']]);
});

test('a 10 BTC buy across three venues takes the best fee-adjusted levels and beats the best single venue', () => {
  const plan = routeOrder({ side: 'buy', quantity: '10' }, THREE_VENUES);

  // The walk, best effective price first:
  //   bravo   2 @ 59900 (60049.75)   → 8 left
  //   charlie 2 @ 60020 (60050.01)   → 6 left
  //   alpha   2 @ 60000 (60060)      → 4 left
  //   alpha   2 @ 60010 (60070.01)   → 2 left
  //   charlie 2 @ 60040 (60070.02)   → done
  // bravo's 59950 is the second-lowest raw price on offer, but its 25 bps fee puts it sixth.
  assert.deepEqual(legs(plan), [
    ['bravo', '2', '59900'],
    ['charlie', '4', '60040'],
    ['alpha', '4', '60010'],
  ]);
  // bravo:   notional 2 × 59900 = 119800; fee 119800 × 0.0025 = 299.5; cost 120099.5
  // charlie: notional 2 × 60020 + 2 × 60040 = 120040 + 120080 = 240120, average 60030; fee × 0.0005 = 120.06; cost 240240.06
  // alpha:   notional 2 × 60000 + 2 × 60010 = 120000 + 120020 = 240020, average 60005; fee × 0.001 = 240.02; cost 240260.02
  assert.deepEqual(
    plan.children.map((child) => [child.expectedAveragePrice, child.expectedFee, child.expectedCost]),
    [
      ['59900', '299.5', '120099.5'],
      ['60030', '120.06', '240240.06'],
      ['60005', '240.02', '240260.02'],
    ],
  );
  assert.equal(plan.filledQuantity, '10');
  assert.equal(plan.unfilledQuantity, '0');
  // 120099.5 + 240240.06 + 240260.02 = 600599.58 for 10 BTC.
  assert.equal(plan.expectedAveragePrice, '60059.958');

  // Each venue alone, for the same 10 BTC:
  //   alpha:   2 × 60000 + 2 × 60010 + 6 × 60050 = 600320, × 1.001  = 600920.32 → 60092.032
  //   bravo:   2 × 59900 + 4 × 59950 + 4 × 60100 = 600000, × 1.0025 = 601500    → 60150
  //   charlie: 2 × 60020 + 3 × 60040 + 5 × 60080 = 600560, × 1.0005 = 600860.28 → 60086.028
  assert.deepEqual(plan.bestSingleVenue, { venue: 'charlie', expectedAveragePrice: '60086.028', fillableQuantity: '10' });
  // (60086.028 − 60059.958) / 60086.028 × 10000 = 26.07 / 60086.028 × 10000 ≈ 4.33877 bps
  assert.equal(savingBps('buy', '60059.958', '60086.028'), '4.3388');
  assert.equal(plan.savingBps, '4.3388');
});

test('a sell mirrors the buy: highest fee-adjusted bids first, fees deducted from the proceeds', () => {
  const plan = routeOrder({ side: 'sell', quantity: '8' }, THREE_VENUES);

  // charlie 3 @ 59995 (59965.0025) → 5 left; bravo 2 @ 60100 (59949.75) → 3 left;
  // alpha 2 @ 59990 (59930.01) → 1 left; charlie 1 @ 59950 (59920.025) → done.
  assert.deepEqual(legs(plan), [
    ['charlie', '4', '59950'],
    ['bravo', '2', '60100'],
    ['alpha', '2', '59990'],
  ]);
  // charlie: 3 × 59995 + 59950 = 239935, average 59983.75; fee × 0.0005 = 119.9675; net 239815.0325
  // bravo:   2 × 60100 = 120200; fee × 0.0025 = 300.5; net 119899.5
  // alpha:   2 × 59990 = 119980; fee × 0.001 = 119.98; net 119860.02
  assert.deepEqual(
    plan.children.map((child) => [child.expectedAveragePrice, child.expectedFee, child.expectedCost]),
    [
      ['59983.75', '119.9675', '239815.0325'],
      ['60100', '300.5', '119899.5'],
      ['59990', '119.98', '119860.02'],
    ],
  );
  // 239815.0325 + 119899.5 + 119860.02 = 479574.5525 for 8 BTC.
  assert.equal(plan.expectedAveragePrice, '59946.8190625');
  // Only bravo can sell 8 alone: 2 × 60100 + 6 × 60000 = 480200, × 0.9975 = 478999.5 → 59874.9375.
  assert.deepEqual(plan.bestSingleVenue, { venue: 'bravo', expectedAveragePrice: '59874.9375', fillableQuantity: '8' });
  // (59946.8190625 − 59874.9375) / 59874.9375 × 10000 = 71.8815625 / 59874.9375 × 10000 ≈ 12.00528 bps
  assert.equal(plan.savingBps, savingBps('sell', '59946.8190625', '59874.9375'));
  assert.equal(plan.savingBps, '12.0053');
});

test('a cheaper raw price with a higher fee loses to a dearer price with a lower fee', () => {
  const books = [
    // 100 × 1.005 = 100.5 against 100.2 × 1.001 = 100.3002
    venue('cheap-raw', { takerFeeBps: '50', asks: [['100', '1']], bids: [['100', '1']] }),
    // selling: 100 × 0.995 = 99.5 against 99.8 × 0.999 = 99.7002
    venue('low-fee', { takerFeeBps: '10', asks: [['100.2', '1']], bids: [['99.8', '1']] }),
  ];
  const buy = routeOrder({ side: 'buy', quantity: '1' }, books);
  assert.deepEqual(legs(buy), [['low-fee', '1', '100.2']]);
  assert.equal(buy.expectedAveragePrice, '100.3002');
  const sell = routeOrder({ side: 'sell', quantity: '1' }, books);
  assert.deepEqual(legs(sell), [['low-fee', '1', '99.8']]);
  assert.equal(sell.expectedAveragePrice, '99.7002');
});

test('a venue’s quote balance caps a buy, fees included', () => {
  const books = [
    // 50.05 USDT buys 50.05 / (100 × 1.001) = 0.5 BTC: notional 50 plus fee 0.05.
    venue('funded', { takerFeeBps: '10', asks: [['100', '5']], available: { base: '0', quote: '50.05' } }),
    venue('other', { asks: [['101', '5']] }),
  ];
  const plan = routeOrder({ side: 'buy', quantity: '1' }, books);
  assert.deepEqual(legs(plan), [
    ['funded', '0.5', '100'],
    ['other', '0.5', '101'],
  ]);
  assert.equal(plan.children[0]?.expectedCost, '50.05');
});

test('a balance that buys a repeating fraction is truncated to 8 places, never above the balance', () => {
  const books = [
    // 100 / 30 = 3.333… → 3.33333333, costing 99.9999999.
    venue('funded', { asks: [['30', '10']], available: { base: '0', quote: '100' } }),
    venue('other', { asks: [['31', '10']] }),
  ];
  const plan = routeOrder({ side: 'buy', quantity: '5' }, books);
  assert.deepEqual(legs(plan), [
    ['funded', '3.33333333', '30'],
    ['other', '1.66666667', '31'],
  ]);
  assert.equal(plan.children[0]?.expectedCost, '99.9999999');
});

test('a venue’s base balance caps a sell', () => {
  const books = [
    venue('holder', { bids: [['100', '5']], available: { base: '0.3', quote: '0' } }),
    venue('other', { bids: [['99', '5']] }),
  ];
  const plan = routeOrder({ side: 'sell', quantity: '1' }, books);
  assert.deepEqual(legs(plan), [
    ['holder', '0.3', '100'],
    ['other', '0.7', '99'],
  ]);
});

test('each child is rounded down to its venue’s lot and the remainder goes to the next best levels', () => {
  const books = [
    venue('lots', {
      quantityIncrement: '0.1',
      asks: [
        ['100', '0.25'],
        ['100.5', '0.2'],
      ],
    }),
    venue('other', { asks: [['101', '5']] }),
  ];
  // First walk: lots 0.25 @ 100 + 0.2 @ 100.5 = 0.45, other 0.55. 0.45 rounds down to 0.4 lots, so
  // lots is capped at 0.4 and the walk runs again: lots 0.25 + 0.15, other 0.6.
  const plan = routeOrder({ side: 'buy', quantity: '1' }, books);
  assert.deepEqual(legs(plan), [
    ['lots', '0.4', '100.5'],
    ['other', '0.6', '101'],
  ]);
  // lots: 0.25 × 100 + 0.15 × 100.5 = 25 + 15.075 = 40.075, average 100.1875
  assert.equal(plan.children[0]?.expectedAveragePrice, '100.1875');
});

test('a child below its venue’s minimum quantity is dropped and its quantity re-allocated', () => {
  const tooSmall = [venue('min', { minQuantity: '0.5', asks: [['100', '0.3']] }), venue('other', { asks: [['101', '5']] })];
  assert.deepEqual(legs(routeOrder({ side: 'buy', quantity: '1' }, tooSmall)), [['other', '1', '101']]);

  const bigEnough = [venue('min', { minQuantity: '0.5', asks: [['100', '0.6']] }), venue('other', { asks: [['101', '5']] })];
  assert.deepEqual(legs(routeOrder({ side: 'buy', quantity: '1' }, bigEnough)), [
    ['min', '0.6', '100'],
    ['other', '0.4', '101'],
  ]);
});

test('routes to a single venue when lot rounding would strand part of the consolidated plan', () => {
  const books = [venue('whole-lots', { quantityIncrement: '1', asks: [['100', '5']] }), venue('small', { asks: [['99', '0.5']] })];
  // The walk takes small 0.5 @ 99 and whole-lots 0.5, which rounds to no lot: the walk fills only 0.5.
  // whole-lots alone fills all of it, so that is the plan.
  const plan = routeOrder({ side: 'buy', quantity: '1' }, books);
  assert.deepEqual(legs(plan), [['whole-lots', '1', '100']]);
  assert.equal(plan.unfilledQuantity, '0');
  assert.deepEqual(plan.bestSingleVenue, { venue: 'whole-lots', expectedAveragePrice: '100', fillableQuantity: '1' });
  assert.equal(plan.savingBps, '0');
});

test('the limit price stops the walk at every venue and leaves the rest unfilled', () => {
  const plan = routeOrder({ side: 'buy', quantity: '10', limitPrice: '60000' }, THREE_VENUES);
  // Within 60000: bravo 2 @ 59900, alpha 2 @ 60000, bravo 4 @ 59950, in effective-price order.
  assert.deepEqual(legs(plan), [
    ['bravo', '6', '59950'],
    ['alpha', '2', '60000'],
  ]);
  assert.equal(plan.filledQuantity, '8');
  assert.equal(plan.unfilledQuantity, '2');
  // bravo: 119800 + 239800 = 359600 / 6 = 59933.333… (rounded half-even at 18 places)
  assert.equal(plan.children[0]?.expectedAveragePrice, '59933.333333333333333333');
  // 359600 × 1.0025 + 120000 × 1.001 = 360499 + 120120 = 480619 / 8 = 60077.375
  assert.equal(plan.expectedAveragePrice, '60077.375');
  // No venue can buy 8 within the limit, so the comparison is with the best average for what one can
  // fill: alpha 2 @ 60060 beats bravo 6 @ 360499 / 6 = 60083.17. Against a smaller, cheaper fill the
  // saving is negative: (60060 − 60077.375) / 60060 × 10000 ≈ −2.89294 bps.
  assert.deepEqual(plan.bestSingleVenue, { venue: 'alpha', expectedAveragePrice: '60060', fillableQuantity: '2' });
  assert.equal(plan.savingBps, savingBps('buy', '60077.375', '60060'));
  assert.equal(plan.savingBps, '-2.8929');
});

test('what no venue can fill is reported as unfilled', () => {
  const plan = routeOrder({ side: 'buy', quantity: '100' }, THREE_VENUES);
  // Every ask: alpha 10 + bravo 16 + charlie 11 = 37.
  assert.equal(plan.filledQuantity, '37');
  assert.equal(plan.unfilledQuantity, '63');
  assert.deepEqual(
    plan.children.map((child) => [child.venue, child.quantity]),
    [
      ['bravo', '16'],
      ['charlie', '11'],
      ['alpha', '10'],
    ],
  );
  // Whole books alone: alpha 600920.32 / 10 = 60092.032; bravo 960600 × 1.0025 / 16 = 60187.59375;
  // charlie (120040 + 180120 + 360480) × 1.0005 = 660970.32 / 11 = 60088.2109…, the best.
  assert.deepEqual(plan.bestSingleVenue, {
    venue: 'charlie',
    expectedAveragePrice: new D('660970.32').div(11).toDecimalPlaces(18, Decimal.ROUND_HALF_EVEN).toFixed(),
    fillableQuantity: '11',
  });
});

test('an order nothing can fill has no children, no average and no single venue', () => {
  const plan = routeOrder({ side: 'buy', quantity: '1', limitPrice: '1' }, THREE_VENUES);
  assert.deepEqual(plan, {
    children: [],
    filledQuantity: '0',
    unfilledQuantity: '1',
    expectedAveragePrice: null,
    bestSingleVenue: null,
    savingBps: '0',
  });
});

test('rejects malformed requests and books with coded errors', () => {
  assert.throws(() => routeOrder({ side: 'buy', quantity: '1e3' }, THREE_VENUES), { code: 'TRD_ERR_INVALID_DECIMAL', statusCode: 400 });
  assert.throws(() => routeOrder({ side: 'buy', quantity: '0' }, THREE_VENUES), { code: 'TRD_ERR_INVALID_ROUTE_REQUEST' });
  assert.throws(() => routeOrder({ side: 'buy', quantity: '1', limitPrice: '-5' }, THREE_VENUES), {
    code: 'TRD_ERR_INVALID_ROUTE_REQUEST',
  });
  assert.throws(() => consolidateBook([venue('a', {}), venue('a', {})]), { code: 'TRD_ERR_INVALID_VENUE_BOOK', statusCode: 500 });
  assert.throws(() => consolidateBook([venue('a', { asks: [['100', 'lots']] })]), { code: 'TRD_ERR_INVALID_VENUE_BOOK' });
  assert.throws(() => consolidateBook([venue('a', { takerFeeBps: '-1' })]), { code: 'TRD_ERR_INVALID_VENUE_BOOK' });
});

// ---------------------------------------------------------------------------------------------------
// Property: against an independent single-venue calculation.

const decimal = (min: number, max: number, scale: number) =>
  fc.integer({ min, max }).map((units) => new D(units).div(new D(10).pow(scale)).toFixed());

const levelsArb = fc.array(fc.tuple(decimal(9_000, 11_000, 1), decimal(1, 500, 2)), { maxLength: 4 });

const venueArb = (name: string) =>
  fc
    .record({
      asks: levelsArb,
      bids: levelsArb,
      takerFeeBps: fc.constantFrom('0', '2.5', '10', '25'),
      available: fc.option(fc.record({ base: decimal(0, 1_000, 2), quote: decimal(0, 3_000_000, 2) }), { nil: undefined }),
      minQuantity: fc.option(fc.constantFrom('0.01', '0.1', '0.5', '2'), { nil: undefined }),
      quantityIncrement: fc.option(fc.constantFrom('0.01', '0.05', '0.1', '0.25', '1'), { nil: undefined }),
    })
    .map((book): VenueBook => {
      const byPrice = (order: 1 | -1) => (a: BookLevel, b: BookLevel) => order * new D(a[0]).cmp(b[0]);
      const { available, minQuantity, quantityIncrement, ...rest } = book;
      return {
        venue: name,
        ...rest,
        asks: [...book.asks].sort(byPrice(1)),
        bids: [...book.bids].sort(byPrice(-1)),
        ...(available === undefined ? {} : { available }),
        ...(minQuantity === undefined ? {} : { minQuantity }),
        ...(quantityIncrement === undefined ? {} : { quantityIncrement }),
      };
    });

const booksArb = fc
  .uniqueArray(fc.constantFrom('alpha', 'bravo', 'charlie', 'delta'), { minLength: 1, maxLength: 4 })
  .chain((names) => fc.tuple(...names.map(venueArb)));

const requestArb = fc.record({
  side: fc.constantFrom('buy' as const, 'sell' as const),
  quantity: decimal(1, 2_000, 2),
  limitPrice: fc.option(decimal(9_000, 11_000, 1), { nil: undefined }),
});

const withinLimit = (side: 'buy' | 'sell', price: string, limit: string | undefined) =>
  limit === undefined || (side === 'buy' ? new D(price).lte(limit) : new D(price).gte(limit));

/** What a venue alone charges (buy, fees included) or pays (sell, net of fees) for exactly `quantity`, or null if it cannot. */
function singleVenueTotal(book: VenueBook, side: 'buy' | 'sell', quantity: Decimal, limit: string | undefined): Decimal | null {
  if (book.quantityIncrement !== undefined && !quantity.mod(book.quantityIncrement).isZero()) return null;
  if (book.minQuantity !== undefined && quantity.lt(book.minQuantity)) return null;
  if (side === 'sell' && book.available !== undefined && quantity.gt(book.available.base)) return null;
  const levels = (side === 'buy' ? book.asks : book.bids).filter(([price]) => withinLimit(side, price, limit));
  let remaining = quantity;
  let notional = new D(0);
  for (const [price, size] of levels) {
    const take = D.min(remaining, size);
    notional = notional.plus(take.times(price));
    remaining = remaining.minus(take);
  }
  if (!remaining.isZero()) return null;
  const fee = notional.times(book.takerFeeBps).div(10_000);
  const total = side === 'buy' ? notional.plus(fee) : notional.minus(fee);
  if (side === 'buy' && book.available !== undefined && total.gt(book.available.quote)) return null;
  return total;
}

test('a plan never over-allocates, fills whatever one venue could, and is never worse than a single venue filling the same quantity', () => {
  fc.assert(
    fc.property(booksArb, requestArb, (books, request) => {
      const plan = routeOrder(request, books);
      const filled = new D(plan.filledQuantity);
      assert.ok(filled.lte(request.quantity), 'fills more than requested');
      assert.ok(filled.plus(plan.unfilledQuantity).eq(request.quantity), 'filled + unfilled is not the request');
      assert.ok(
        plan.children.reduce((sum, child) => sum.plus(child.quantity), new D(0)).eq(filled),
        'children do not sum to filledQuantity',
      );
      assert.equal(new Set(plan.children.map((child) => child.venue)).size, plan.children.length, 'a venue appears twice');

      let planTotal = new D(0);
      for (const child of plan.children) {
        const book = books.find((candidate) => candidate.venue === child.venue);
        assert.ok(book);
        const quantity = new D(child.quantity);
        const depth = (request.side === 'buy' ? book.asks : book.bids)
          .filter(([price]) => withinLimit(request.side, price, request.limitPrice))
          .reduce((sum, [, size]) => sum.plus(size), new D(0));
        assert.ok(quantity.gt(0) && quantity.lte(depth), `${child.venue} takes more than its book`);
        assert.ok(withinLimit(request.side, child.limitPrice, request.limitPrice), `${child.venue} child beyond the limit`);
        if (book.available !== undefined) {
          if (request.side === 'buy')
            assert.ok(new D(child.expectedCost).lte(book.available.quote), `${child.venue} over its quote balance`);
          else assert.ok(quantity.lte(book.available.base), `${child.venue} over its base balance`);
        }
        if (book.quantityIncrement !== undefined) assert.ok(quantity.mod(book.quantityIncrement).isZero(), `${child.venue} off its lot`);
        if (book.minQuantity !== undefined) assert.ok(quantity.gte(book.minQuantity), `${child.venue} below its minimum`);
        planTotal = planTotal.plus(child.expectedCost);
      }

      for (const book of books) {
        const whole = singleVenueTotal(book, request.side, new D(request.quantity), request.limitPrice);
        if (whole !== null) assert.equal(plan.filledQuantity, request.quantity, `${book.venue} alone fills the whole order`);
      }
      if (filled.isZero()) return;
      for (const book of books) {
        const single = singleVenueTotal(book, request.side, filled, request.limitPrice);
        if (single === null) continue;
        // Same quantity, so comparing totals compares effective averages.
        const better = request.side === 'buy' ? planTotal.lte(single) : planTotal.gte(single);
        assert.ok(better, `${book.venue} alone does ${filled} at ${single}, the plan at ${planTotal}`);
      }
      if (plan.bestSingleVenue?.fillableQuantity === plan.filledQuantity) assert.ok(new D(plan.savingBps).gte(0), 'negative saving');
    }),
    { numRuns: 300 },
  );
});

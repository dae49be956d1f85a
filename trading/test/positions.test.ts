import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { applyFill, convert, type Fill, markToMarket, type Position, summarisePnl, toReporting } from '../src/positions/index.ts';

const D = Decimal.clone({ precision: 80 });

/** A BTC/USDT fill with its fee in USDT. */
function fill(side: 'buy' | 'sell', quantity: string, price: string, fee = '0'): Fill {
  return { side, quantity, price, fee, feeCurrency: 'USDT', quoteCurrency: 'USDT' };
}

function applyAll(fills: readonly Fill[], start: Position | null = null): Position {
  return fills.reduce<Position | null>((position, next) => applyFill(position, next), start) ?? assert.fail('no fills');
}

test('adding to a long moves the average cost to the weighted average', () => {
  const first = applyFill(null, fill('buy', '1', '100'));
  assert.deepEqual(first, { quantity: '1', averageCost: '100', costBasis: '100', realizedPnl: '0', fees: '0' });
  // (1 × 100 + 1 × 110) / 2 = 105
  assert.deepEqual(applyFill(first, fill('buy', '1', '110')), {
    quantity: '2',
    averageCost: '105',
    costBasis: '210',
    realizedPnl: '0',
    fees: '0',
  });
});

test('reducing a long realises the price over the average cost and leaves the average alone', () => {
  const long = applyAll([fill('buy', '1', '100'), fill('buy', '1', '110')]);
  // (120 − 105) × 1.5 = 22.5; 0.5 left at 105.
  assert.deepEqual(applyFill(long, fill('sell', '1.5', '120')), {
    quantity: '0.5',
    averageCost: '105',
    costBasis: '52.5',
    realizedPnl: '22.5',
    fees: '0',
  });
});

test('a fill through zero closes the position, then opens the rest the other way at the fill price', () => {
  const half = applyAll([fill('buy', '1', '100'), fill('buy', '1', '110'), fill('sell', '1.5', '120')]);
  // Closes 0.5: (90 − 105) × 0.5 = −7.5, so 22.5 − 7.5 = 15 realised; opens a 0.5 short at 90.
  const short = applyFill(half, fill('sell', '1', '90'));
  assert.deepEqual(short, { quantity: '-0.5', averageCost: '90', costBasis: '45', realizedPnl: '15', fees: '0' });
  // Covering a short realises (average − price) × quantity: (90 − 80) × 0.5 = 5, so 20 in all; flat.
  assert.deepEqual(applyFill(short, fill('buy', '0.5', '80')), {
    quantity: '0',
    averageCost: null,
    costBasis: '0',
    realizedPnl: '20',
    fees: '0',
  });
});

test('a short from flat carries its sale price as the average, and adding to it averages', () => {
  // (2 × 1500 + 1 × 1560) / 3 = 1520
  const short = applyAll([fill('sell', '2', '1500'), fill('sell', '1', '1560')]);
  assert.deepEqual(short, { quantity: '-3', averageCost: '1520', costBasis: '4560', realizedPnl: '0', fees: '0' });
  // Buying back 1 above the average loses: (1520 − 1600) × 1 = −80.
  assert.equal(applyFill(short, fill('buy', '1', '1600')).realizedPnl, '-80');
});

test('quote fees are booked in fees, not in the average cost or realised P&L', () => {
  const position = applyAll([fill('buy', '1', '100', '0.1'), fill('buy', '1', '110', '0.11'), fill('sell', '1.5', '120', '0.18')]);
  assert.deepEqual(position, { quantity: '0.5', averageCost: '105', costBasis: '52.5', realizedPnl: '22.5', fees: '0.39' });
  // A maker rebate is a negative fee.
  assert.equal(applyFill(position, fill('sell', '0.5', '120', '-0.01')).fees, '0.38');
});

test('a fee in another currency is refused until converted to the quote currency', () => {
  assert.throws(() => applyFill(null, { ...fill('buy', '1', '100', '0.001'), feeCurrency: 'BNB' }), {
    code: 'TRD_ERR_FEE_CURRENCY_MISMATCH',
    statusCode: 422,
  });
  // A zero fee may name any currency.
  assert.equal(applyFill(null, { ...fill('buy', '1', '100'), feeCurrency: 'BNB' }).quantity, '1');
});

test('a non-terminating average cost never leaks rounding into realised P&L', () => {
  // (1 × 100 + 2 × 101) / 3 = 100.666…, shown to 30 places; the basis 302 stays exact.
  const long = applyAll([fill('buy', '1', '100'), fill('buy', '2', '101')]);
  assert.equal(long.averageCost, '100.666666666666666666666666666667');
  assert.equal(long.costBasis, '302');
  // Selling in two pieces at 102 realises 3 × 102 − 302 = 4 exactly: the last piece releases whatever basis is left.
  const partly = applyFill(long, fill('sell', '1', '102'));
  assert.equal(partly.realizedPnl, '1.333333333333333333333333333333');
  assert.equal(applyFill(partly, fill('sell', '2', '102')).realizedPnl, '4');
});

test('rejects malformed fills with coded errors', () => {
  assert.throws(() => applyFill(null, fill('buy', '1e2', '100')), { code: 'TRD_ERR_INVALID_DECIMAL', statusCode: 400 });
  assert.throws(() => applyFill(null, fill('buy', '0', '100')), { code: 'TRD_ERR_INVALID_FILL' });
  assert.throws(() => applyFill(null, fill('sell', '1', '-1')), { code: 'TRD_ERR_INVALID_FILL' });
});

test('marks a long and a short to the mid', () => {
  const long = applyAll([fill('buy', '1', '100'), fill('buy', '1', '110'), fill('sell', '1.5', '120')]);
  // 0.5 × 130 = 65 against a basis of 52.5: +12.5
  assert.deepEqual(markToMarket(long, '130'), { unrealizedPnl: '12.5', marketValue: '65' });
  const short = applyFill(long, fill('sell', '1', '90'));
  // Short 0.5 sold for 45, worth −0.5 × 100 = −50 at the mid: −5
  assert.deepEqual(markToMarket(short, '100'), { unrealizedPnl: '-5', marketValue: '-50' });
  assert.deepEqual(markToMarket(applyFill(short, fill('buy', '0.5', '80')), '100'), { unrealizedPnl: '0', marketValue: '0' });
  assert.throws(() => markToMarket(long, '0'), { code: 'TRD_ERR_INVALID_MID_PRICE' });
});

test('converts through the direct pair, the inverse pair, or one hop through USD or USDT', () => {
  const rates = { 'BTC/USDT': '65000', 'EUR/USD': '1.08', 'USDT/USD': '0.999', 'ETH/USDT': '2500' };
  assert.equal(convert('2', 'BTC', 'USDT', rates), '130000');
  assert.equal(convert('5', 'USDT', 'USDT', {}), '5');
  // Inverse: 108 USD / 1.08 = 100 EUR.
  assert.equal(convert('108', 'USD', 'EUR', rates), '100');
  // Via USD: 1 USDT → 0.999 USD → 0.999 / 1.08 = 0.925 EUR.
  assert.equal(convert('1', 'USDT', 'EUR', rates), '0.925');
  // Via USDT: 1 BTC → 65000 USDT → 65000 / 2500 = 26 ETH.
  assert.equal(convert('1', 'BTC', 'ETH', rates), '26');
  assert.throws(() => convert('1', 'BTC', 'JPY', rates), { code: 'TRD_ERR_RATE_NOT_FOUND' });
  assert.throws(() => convert('1', 'BTC', 'USDT', { 'BTC/USDT': '0' }), { code: 'TRD_ERR_INVALID_RATE' });
});

test('a conversion keeps full precision, and a round trip agrees to far beyond 4 places', () => {
  const rates = { 'EUR/USD': '1.07' };
  const euros = convert('1', 'USD', 'EUR', rates);
  // 1 / 1.07 = 0.934579439252336448598130841121495327102803738317757009345794392523364485981308…
  assert.ok(euros.startsWith('0.93457943925233644859813084112149532710280373831775700934'));
  assert.equal(toReporting(euros), '0.9346');
  assert.ok(new D(convert(euros, 'EUR', 'USD', rates)).minus(1).abs().lt('1e-70'));
});

test('rounds for reporting half-even, padded to the decimals asked for', () => {
  assert.equal(toReporting('22.5'), '22.5000');
  assert.equal(toReporting('0.00005'), '0.0000');
  assert.equal(toReporting('0.00015'), '0.0002');
  assert.equal(toReporting('-1.23455'), '-1.2346');
  assert.equal(toReporting('-0.00001'), '0.0000');
  assert.equal(toReporting('2.345', 2), '2.34');
  assert.throws(() => toReporting('1', 1.5), { code: 'TRD_ERR_INVALID_REPORTING_DECIMALS' });
});

test('summarises realised, unrealised and fees per instrument and in total in the reporting currency', () => {
  // BTC/USDT: long 0.5 @ 105 after realising 22.5, fees 0.1 + 0.1 + 0.1 = 0.3 USDT; at 130: +12.5, worth 65.
  const btc = applyAll([fill('buy', '1', '100', '0.1'), fill('buy', '1', '110', '0.1'), fill('sell', '1.5', '120', '0.1')]);
  // ETH/EUR: short 2 @ 1500, buy back 1 @ 1400 → +100 realised, short 1 sold for 1500; fees 1.5 + 1.4 = 2.9 EUR;
  // at 1450: 1500 − 1450 = +50, worth −1450.
  const eur = (side: 'buy' | 'sell', quantity: string, price: string, fee: string): Fill => ({
    side,
    quantity,
    price,
    fee,
    feeCurrency: 'EUR',
    quoteCurrency: 'EUR',
  });
  const eth = applyAll([eur('sell', '2', '1500', '1.5'), eur('buy', '1', '1400', '1.4')]);
  const flat = applyAll([fill('buy', '1', '10'), fill('sell', '1', '10')]);

  // USDT → USD directly at 0.999; EUR → USD through USDT: 1.08 × 0.999 = 1.07892.
  const rates = { 'USDT/USD': '0.999', 'EUR/USDT': '1.08' };
  const summary = summarisePnl(
    [
      { instrument: 'BTC/USDT', base: 'BTC', quote: 'USDT', position: btc },
      { instrument: 'ETH/EUR', base: 'ETH', quote: 'EUR', position: eth },
      // Flat, with no mid and no rate for its quote: it needs neither.
      { instrument: 'SOL/GBP', base: 'SOL', quote: 'GBP', position: flat },
    ],
    { 'BTC/USDT': '130', 'ETH/EUR': '1450' },
    rates,
    'USD',
  );
  assert.equal(summary.reportingCurrency, 'USD');
  assert.deepEqual(summary.instruments, [
    {
      instrument: 'BTC/USDT',
      base: 'BTC',
      quote: 'USDT',
      quantity: '0.5',
      realizedPnl: '22.4775', // 22.5 × 0.999
      unrealizedPnl: '12.4875', // 12.5 × 0.999
      fees: '0.2997', // 0.3 × 0.999
      netPnl: '34.6653', // 22.4775 + 12.4875 − 0.2997
      marketValue: '64.935', // 65 × 0.999
    },
    {
      instrument: 'ETH/EUR',
      base: 'ETH',
      quote: 'EUR',
      quantity: '-1',
      realizedPnl: '107.892', // 100 × 1.07892
      unrealizedPnl: '53.946', // 50 × 1.07892
      fees: '3.128868', // 2.9 × 1.07892
      netPnl: '158.709132', // 107.892 + 53.946 − 3.128868
      marketValue: '-1564.434', // −1450 × 1.07892
    },
    {
      instrument: 'SOL/GBP',
      base: 'SOL',
      quote: 'GBP',
      quantity: '0',
      realizedPnl: '0',
      unrealizedPnl: '0',
      fees: '0',
      netPnl: '0',
      marketValue: '0',
    },
  ]);
  assert.deepEqual(summary.total, {
    realizedPnl: '130.3695', // 22.4775 + 107.892
    unrealizedPnl: '66.4335', // 12.4875 + 53.946
    fees: '3.428568', // 0.2997 + 3.128868
    netPnl: '193.374432', // 34.6653 + 158.709132
    marketValue: '-1499.499', // 64.935 − 1564.434
  });
});

test('an open position without a mid cannot be summarised', () => {
  const open = applyFill(null, fill('buy', '1', '100'));
  assert.throws(() => summarisePnl([{ instrument: 'BTC/USDT', base: 'BTC', quote: 'USDT', position: open }], {}, {}, 'USDT'), {
    code: 'TRD_ERR_MID_PRICE_NOT_FOUND',
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties.

const decimal = (maxUnits: number, maxScale: number) =>
  fc
    .tuple(fc.integer({ min: 1, max: maxUnits }), fc.integer({ min: 0, max: maxScale }))
    .map(([units, scale]) => new D(units).div(new D(10).pow(scale)).toFixed());

const fillsArb = fc.array(
  fc.record({
    side: fc.constantFrom('buy' as const, 'sell' as const),
    quantity: decimal(100_000, 8),
    price: decimal(10_000_000, 4),
    fee: decimal(1_000, 6),
  }),
  { minLength: 1, maxLength: 25 },
);

const cashFlow = (fills: readonly Fill[]) =>
  fills.reduce((cash, next) => {
    const notional = new D(next.quantity).times(next.price);
    return next.side === 'sell' ? cash.plus(notional) : cash.minus(notional);
  }, new D(0));

test('any sequence of fills ending flat realises exactly the sell notional minus the buy notional, fees apart', () => {
  fc.assert(
    fc.property(fillsArb, decimal(10_000_000, 4), (generated, closingPrice) => {
      const fills: Fill[] = generated.map((next) => fill(next.side, next.quantity, next.price, next.fee));
      const open = fills.reduce(
        (quantity, next) => (next.side === 'buy' ? quantity.plus(next.quantity) : quantity.minus(next.quantity)),
        new D(0),
      );
      if (!open.isZero()) fills.push(fill(open.gt(0) ? 'sell' : 'buy', open.abs().toFixed(), closingPrice));

      const position = applyAll(fills);
      assert.equal(position.quantity, '0');
      assert.equal(position.averageCost, null);
      assert.equal(position.costBasis, '0');
      assert.ok(new D(position.realizedPnl).eq(cashFlow(fills)), `${position.realizedPnl} ≠ ${cashFlow(fills).toFixed()}`);
      assert.ok(new D(position.fees).eq(fills.reduce((sum, next) => sum.plus(next.fee), new D(0))));
    }),
    { numRuns: 300 },
  );
});

test('realised plus unrealised P&L always equals the cash flow plus the market value', () => {
  fc.assert(
    fc.property(fillsArb, decimal(10_000_000, 4), (generated, mid) => {
      const fills = generated.map((next) => fill(next.side, next.quantity, next.price));
      const position = applyAll(fills);
      const { unrealizedPnl, marketValue } = markToMarket(position, mid);
      assert.ok(new D(marketValue).eq(new D(position.quantity).times(mid)));
      assert.ok(new D(position.realizedPnl).plus(unrealizedPnl).eq(cashFlow(fills).plus(marketValue)));
    }),
    { numRuns: 300 },
  );
});

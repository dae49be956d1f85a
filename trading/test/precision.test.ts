import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import ccxt, { type Exchange, type Market } from 'ccxt';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import {
  applyVenuePrecision,
  type PrecisionMode,
  precisionModeFromCcxt,
  toPlainDecimalString,
  type VenuePrecisionMarket,
} from '../src/precision.ts';
import { toVenueMarket } from '../src/venues/ccxt/markets.ts';

type Venue = 'binance' | 'coinbase' | 'kraken';

// Market metadata as recorded in ccxt's static fixtures: binance counts decimal places, kraken and coinbase use ticks.
const RECORDED_MODE: Record<Venue, PrecisionMode> = { binance: 'decimal-places', coinbase: 'tick-size', kraken: 'tick-size' };
const CCXT_MODE: Record<PrecisionMode, number> = {
  'decimal-places': ccxt.DECIMAL_PLACES,
  'significant-digits': ccxt.SIGNIFICANT_DIGITS,
  'tick-size': ccxt.TICK_SIZE,
};

function recordedMarkets(venue: Venue): Record<string, NonNullable<Market>> {
  return JSON.parse(readFileSync(new URL(`./fixtures/ccxt/markets/${venue}.json`, import.meta.url), 'utf8'));
}

function market(venue: Venue, symbol: string): VenuePrecisionMarket {
  const recorded = recordedMarkets(venue)[symbol];
  assert.ok(recorded, `${venue} ${symbol} is in the fixture`);
  return toVenueMarket(recorded, RECORDED_MODE[venue]);
}

/** The same market inside a ccxt exchange, to compare with what ccxt's createOrder would send. */
function ccxtExchange(venue: Venue): Exchange {
  const exchange = new ccxt[venue]();
  exchange.precisionMode = CCXT_MODE[RECORDED_MODE[venue]];
  exchange.setMarkets(recordedMarkets(venue));
  return exchange;
}

// No venue of ours counts significant digits; this is a recorded binance market read the way such venues
// (bitfinex, for one) state precision: 5 significant digits of price, 4 of amount.
function significantDigitsMarket(): VenuePrecisionMarket {
  const binance = market('binance', 'BTC/USDT');
  return {
    ...binance,
    precisionMode: 'significant-digits',
    precision: { amount: '4', price: '5' },
    limits: { amount: {}, price: {}, cost: {} },
  };
}

const unlimited = (m: VenuePrecisionMarket): VenuePrecisionMarket => ({ ...m, limits: { amount: {}, price: {}, cost: {} } });

describe('applyVenuePrecision', () => {
  describe('DECIMAL_PLACES (binance BTC/USDT: amount 5, price 2)', () => {
    const btc = unlimited(market('binance', 'BTC/USDT'));

    test('TRUNCATE: quantities drop digits past the fifth decimal, never rounding up', () => {
      assert.equal(applyVenuePrecision(btc, { quantity: '0.123456789' }).quantity, '0.12345');
      assert.equal(applyVenuePrecision(btc, { quantity: '1.999999' }).quantity, '1.99999');
      assert.equal(applyVenuePrecision(btc, { quantity: '2.50000' }).quantity, '2.5');
    });

    test('ROUND: prices go to the nearest cent, halves away from zero', () => {
      const price = (p: string) => applyVenuePrecision(btc, { quantity: '1', price: p }).price;
      assert.equal(price('65000.125'), '65000.13');
      assert.equal(price('65000.124'), '65000.12');
      assert.equal(price('65000.995'), '65001');
    });

    test('agrees with what ccxt itself sends for the market', () => {
      const exchange = ccxtExchange('binance');
      for (const [quantity, price] of [
        ['0.123456789', '65000.125'],
        ['3.14159265', '0.015'],
        ['0.00001', '42574.305'],
      ] as const) {
        const rounded = applyVenuePrecision(btc, { quantity, price });
        assert.equal(rounded.quantity, exchange.amountToPrecision('BTC/USDT', quantity));
        assert.equal(rounded.price, exchange.priceToPrecision('BTC/USDT', price));
      }
    });
  });

  describe('SIGNIFICANT_DIGITS (amount 4, price 5)', () => {
    const sig = significantDigitsMarket();

    test('TRUNCATE: quantities keep four significant digits', () => {
      assert.equal(applyVenuePrecision(sig, { quantity: '1.23456' }).quantity, '1.234');
      assert.equal(applyVenuePrecision(sig, { quantity: '0.00123456' }).quantity, '0.001234');
      assert.equal(applyVenuePrecision(sig, { quantity: '98765.4' }).quantity, '98760');
    });

    test('ROUND: prices keep five significant digits, to the nearest', () => {
      assert.equal(applyVenuePrecision(sig, { quantity: '1', price: '65432.5' }).price, '65433');
      assert.equal(applyVenuePrecision(sig, { quantity: '1', price: '12345.44' }).price, '12345');
      assert.equal(applyVenuePrecision(sig, { quantity: '1', price: '0.000123456' }).price, '0.00012346');
    });

    test('agrees with ccxt decimalToPrecision in SIGNIFICANT_DIGITS mode', () => {
      for (const value of ['1.23456', '0.00123456', '98765.4', '65432.5']) {
        assert.equal(
          applyVenuePrecision(sig, { quantity: value }).quantity,
          ccxt.decimalToPrecision(value, ccxt.TRUNCATE, 4, ccxt.SIGNIFICANT_DIGITS),
        );
        assert.equal(
          applyVenuePrecision(sig, { quantity: '1', price: value }).price,
          ccxt.decimalToPrecision(value, ccxt.ROUND, 5, ccxt.SIGNIFICANT_DIGITS),
        );
      }
    });
  });

  describe('TICK_SIZE (kraken BTC/USDT: amount 0.00000001, price 0.1; LTC/USDT price 0.00001; coinbase BTC/USDC price 0.01)', () => {
    const krakenBtc = unlimited(market('kraken', 'BTC/USDT'));
    const krakenLtc = unlimited(market('kraken', 'LTC/USDT'));
    const coinbaseBtc = unlimited(market('coinbase', 'BTC/USDC'));

    test('TRUNCATE: quantities go down to a whole number of amount ticks', () => {
      assert.equal(applyVenuePrecision(krakenBtc, { quantity: '0.123456789123' }).quantity, '0.12345678');
      assert.equal(applyVenuePrecision(coinbaseBtc, { quantity: '1.000000009' }).quantity, '1');
    });

    test('ROUND: prices go to the nearest tick', () => {
      assert.equal(applyVenuePrecision(krakenBtc, { quantity: '1', price: '65000.15' }).price, '65000.2');
      assert.equal(applyVenuePrecision(krakenBtc, { quantity: '1', price: '65000.14' }).price, '65000.1');
      assert.equal(applyVenuePrecision(krakenLtc, { quantity: '1', price: '71.057415' }).price, '71.05742');
      assert.equal(applyVenuePrecision(coinbaseBtc, { quantity: '1', price: '50000.005' }).price, '50000.01');
    });

    test('agrees with what ccxt itself sends for the market', () => {
      const kraken = ccxtExchange('kraken');
      const coinbase = ccxtExchange('coinbase');
      for (const [quantity, price] of [
        ['0.123456789123', '65000.15'],
        ['0.3', '65000.14'],
      ] as const) {
        const rounded = applyVenuePrecision(krakenBtc, { quantity, price });
        assert.equal(rounded.quantity, kraken.amountToPrecision('BTC/USDT', quantity));
        assert.equal(rounded.price, kraken.priceToPrecision('BTC/USDT', price));
      }
      assert.equal(
        applyVenuePrecision(coinbaseBtc, { quantity: '1', price: '50000.005' }).price,
        coinbase.priceToPrecision('BTC/USDC', '50000.005'),
      );
    });

    test('keeps the exact nearest tick where ccxt rounding through doubles is a tick off', () => {
      // ccxt's TICK_SIZE + ROUND path computes the remainder in doubles rounded to 8 places; with a 1e-7 tick
      // it sends 0.0663199 for 0.06631984572. 0.0663198 is nearer, and ccxt passes it through unchanged.
      const microTick = { ...krakenLtc, precision: { amount: '0.00000001', price: '0.0000001' } };
      assert.equal(ccxt.decimalToPrecision('0.06631984572', ccxt.ROUND, '0.0000001', ccxt.TICK_SIZE), '0.0663199');
      assert.equal(applyVenuePrecision(microTick, { quantity: '1', price: '0.06631984572' }).price, '0.0663198');
      assert.equal(ccxt.decimalToPrecision('0.0663198', ccxt.ROUND, '0.0000001', ccxt.TICK_SIZE), '0.0663198');
    });
  });

  test('refuses to round where ccxt, working in doubles, would send something else', () => {
    // 2^48 + 1 with a 0.1 tick: ccxt's float path sends 281474976710657.1, exact rounding keeps the integer,
    // and ccxt would not pass the exact value through unchanged either.
    const krakenBtc = unlimited(market('kraken', 'BTC/USDT'));
    assert.throws(() => applyVenuePrecision(krakenBtc, { quantity: '1', price: '281474976710657' }), {
      code: 'TRD_ERR_PRECISION_DISAGREEMENT',
      statusCode: 500,
    });
  });

  describe('limits', () => {
    test('refuses a quantity that truncates to zero', () => {
      assert.throws(() => applyVenuePrecision(market('binance', 'BTC/USDT'), { quantity: '0.000009' }), {
        code: 'TRD_ERR_ROUNDS_TO_ZERO',
        statusCode: 422,
      });
      assert.throws(() => applyVenuePrecision(unlimited(market('kraken', 'BTC/USDT')), { quantity: '0.000000009' }), {
        code: 'TRD_ERR_ROUNDS_TO_ZERO',
      });
    });

    test('refuses a price that rounds to zero', () => {
      assert.throws(() => applyVenuePrecision(unlimited(market('binance', 'BTC/USDT')), { quantity: '1', price: '0.004' }), {
        code: 'TRD_ERR_ROUNDS_TO_ZERO',
        message: "The price 0.004 rounds to zero at the venue's precision of 2",
      });
    });

    test('checks the minimum after truncating', () => {
      // kraken LTC/USDT: minimum 0.08.
      assert.throws(() => applyVenuePrecision(market('kraken', 'LTC/USDT'), { quantity: '0.0799999999' }), {
        code: 'TRD_ERR_BELOW_MIN_QUANTITY',
        message: 'Quantity 0.07999999 is below the venue minimum of 0.08',
      });
      assert.equal(applyVenuePrecision(market('kraken', 'LTC/USDT'), { quantity: '0.08' }).quantity, '0.08');
      // binance LTC/USDT: 3 decimals, minimum 0.001; 0.0019 truncates to exactly the minimum.
      assert.equal(applyVenuePrecision(market('binance', 'LTC/USDT'), { quantity: '0.0019', price: '5000' }).quantity, '0.001');
    });

    test('refuses a quantity above the maximum', () => {
      assert.throws(() => applyVenuePrecision(market('binance', 'BTC/USDT'), { quantity: '9000.00001' }), {
        code: 'TRD_ERR_ABOVE_MAX_QUANTITY',
      });
      assert.equal(applyVenuePrecision(market('binance', 'BTC/USDT'), { quantity: '9000.000009', price: '1' }).quantity, '9000');
    });

    test('refuses a notional below the minimum, computed on the rounded values', () => {
      // binance BTC/USDT: minimum notional 5.
      assert.throws(() => applyVenuePrecision(market('binance', 'BTC/USDT'), { quantity: '0.00004', price: '100000' }), {
        code: 'TRD_ERR_BELOW_MIN_NOTIONAL',
        message: 'Notional 4 is below the venue minimum of 5',
      });
      assert.throws(() => applyVenuePrecision(market('binance', 'BTC/USDT'), { quantity: '0.000059', price: '99999.994' }), {
        code: 'TRD_ERR_BELOW_MIN_NOTIONAL',
      });
      assert.deepEqual(applyVenuePrecision(market('binance', 'BTC/USDT'), { quantity: '0.00005', price: '100000' }), {
        quantity: '0.00005',
        price: '100000',
      });
      // coinbase BTC/USDC: minimum notional 1.
      assert.throws(() => applyVenuePrecision(market('coinbase', 'BTC/USDC'), { quantity: '0.00001', price: '50000' }), {
        code: 'TRD_ERR_BELOW_MIN_NOTIONAL',
      });
    });

    test('refuses a price outside the venue range', () => {
      assert.throws(() => applyVenuePrecision(market('binance', 'BTC/USDT'), { quantity: '1', price: '1000000.01' }), {
        code: 'TRD_ERR_PRICE_OUT_OF_RANGE',
      });
    });

    test('a market without limits (kraken has no notional minimum) only rounds', () => {
      assert.deepEqual(applyVenuePrecision(market('kraken', 'BTC/USDT'), { quantity: '0.0001', price: '0.1' }), {
        quantity: '0.0001',
        price: '0.1',
      });
    });

    test('refuses input that is not a positive plain decimal', () => {
      for (const quantity of ['0', '-1', '1e-5', 'abc', '']) {
        assert.throws(() => applyVenuePrecision(market('binance', 'BTC/USDT'), { quantity }), { code: 'TRD_ERR_INVALID_DECIMAL' });
      }
    });
  });

  describe('properties, against exact decimal arithmetic', () => {
    const R = Decimal.clone({ precision: 100, toExpNeg: -9e15, toExpPos: 9e15 });
    // Up to 15 significant digits below 1e10: every realistic price and quantity, all exact as doubles too.
    const units = fc
      .tuple(fc.bigInt({ min: 1n, max: 10n ** 15n - 1n }), fc.integer({ min: 5, max: 15 }))
      .map(([n, scale]) => new R(n.toString()).div(new R(10).pow(scale)).toFixed());
    const modes = fc.oneof(
      fc.record({ mode: fc.constant('decimal-places' as const), step: fc.integer({ min: 0, max: 8 }).map(String) }),
      fc.record({ mode: fc.constant('significant-digits' as const), step: fc.integer({ min: 1, max: 10 }).map(String) }),
      fc.record({
        mode: fc.constant('tick-size' as const),
        step: fc.constantFrom('1', '0.5', '0.25', '0.1', '0.05', '0.01', '0.00001', '0.0000001', '0.00000001', '0.000000001', '5', '10'),
      }),
    );

    // ccxt rounds in doubles: its result is exact while the value counts fewer than 1e15 steps. Beyond,
    // applyVenuePrecision refuses (see the disagreement test) rather than send a price off the tick.
    function countsFewSteps(value: string, mode: PrecisionMode, step: string): boolean {
      if (mode === 'significant-digits') return true;
      const unit = mode === 'tick-size' ? new R(step) : new R(10).pow(-Number(step));
      return new R(value).div(unit).lt(1e15);
    }

    function reference(value: string, rounding: Decimal.Rounding, mode: PrecisionMode, step: string): string {
      const x = new R(value);
      if (mode === 'decimal-places') return x.toDecimalPlaces(Number(step), rounding).toFixed();
      if (mode === 'significant-digits') return x.toSignificantDigits(Number(step), rounding).toFixed();
      return x.div(step).toDecimalPlaces(0, rounding).times(step).toFixed();
    }

    test('quantities truncate and prices round to nearest (half away from zero) in every mode', () => {
      fc.assert(
        fc.property(units, units, modes, (quantity, price, { mode, step }) => {
          const m: VenuePrecisionMarket = {
            precisionMode: mode,
            precision: { amount: step, price: step },
            limits: { amount: {}, price: {}, cost: {} },
          };
          const expectedQuantity = reference(quantity, Decimal.ROUND_DOWN, mode, step);
          const expectedPrice = reference(price, Decimal.ROUND_HALF_UP, mode, step);
          fc.pre(expectedQuantity !== '0' && expectedPrice !== '0');
          fc.pre(countsFewSteps(quantity, mode, step) && countsFewSteps(price, mode, step));
          const rounded = applyVenuePrecision(m, { quantity, price });
          assert.equal(rounded.quantity, expectedQuantity);
          assert.equal(rounded.price, expectedPrice);
          assert.ok(new R(rounded.quantity).lte(quantity), 'never more than asked');
        }),
        { numRuns: 2000 },
      );
    });

    test('applying it twice changes nothing', () => {
      fc.assert(
        fc.property(units, units, modes, (quantity, price, { mode, step }) => {
          const m: VenuePrecisionMarket = {
            precisionMode: mode,
            precision: { amount: step, price: step },
            limits: { amount: {}, price: {}, cost: {} },
          };
          fc.pre(countsFewSteps(quantity, mode, step) && countsFewSteps(price, mode, step));
          let once: { quantity: string; price?: string };
          try {
            once = applyVenuePrecision(m, { quantity, price });
          } catch (error) {
            assert.equal((error as { code?: string }).code, 'TRD_ERR_ROUNDS_TO_ZERO');
            return;
          }
          assert.deepEqual(applyVenuePrecision(m, once), once);
        }),
        { numRuns: 1000 },
      );
    });
  });
});

describe('precision helpers', () => {
  test("maps ccxt's precision mode constants", () => {
    assert.equal(precisionModeFromCcxt(ccxt.DECIMAL_PLACES), 'decimal-places');
    assert.equal(precisionModeFromCcxt(ccxt.SIGNIFICANT_DIGITS), 'significant-digits');
    assert.equal(precisionModeFromCcxt(ccxt.TICK_SIZE), 'tick-size');
    assert.equal(precisionModeFromCcxt(new ccxt.kraken().precisionMode), 'tick-size');
    assert.throws(() => precisionModeFromCcxt(99));
  });

  test('prints ccxt doubles and venue strings as plain decimals', () => {
    assert.equal(toPlainDecimalString(1e-8), '0.00000001');
    assert.equal(toPlainDecimalString('0.10000000'), '0.1');
    assert.equal(toPlainDecimalString('1e-7'), '0.0000001');
    assert.equal(toPlainDecimalString(9000000), '9000000');
    assert.throws(() => toPlainDecimalString(Number.NaN), { code: 'TRD_ERR_INVALID_DECIMAL' });
  });
});

import createError from '@fastify/error';
import ccxt from 'ccxt';
import { Decimal } from 'decimal.js';

/**
 * How a venue states precision, in ccxt's three counting modes:
 * - 'decimal-places': precision is a number of digits after the point ("2" = 0.01 steps);
 * - 'significant-digits': precision is a number of significant digits;
 * - 'tick-size': precision is the step itself ("0.1", "0.00001").
 * ccxt sets it per exchange (`exchange.precisionMode`); all three venues use tick sizes in ccxt 4.5,
 * but market metadata recorded under older ccxt (the binance fixtures) counts decimal places.
 */
export type PrecisionMode = 'decimal-places' | 'significant-digits' | 'tick-size';

export interface DecimalRange {
  readonly min?: string | null;
  readonly max?: string | null;
}

/** What applyVenuePrecision needs of a market: decimal strings, null (or absent) when the venue sets no bound. */
export interface VenuePrecisionMarket {
  readonly precisionMode: PrecisionMode;
  readonly precision: { readonly amount: string | null; readonly price: string | null };
  readonly limits: {
    readonly amount: DecimalRange;
    readonly price: DecimalRange;
    readonly cost: DecimalRange;
  };
}

export interface PricedQuantity {
  readonly quantity: string;
  readonly price?: string;
}

export const RoundsToZeroError = createError<'TRD_ERR_ROUNDS_TO_ZERO', 422, [string, string, string]>(
  'TRD_ERR_ROUNDS_TO_ZERO',
  "The %s %s rounds to zero at the venue's precision of %s",
  422,
);
export const BelowMinQuantityError = createError<'TRD_ERR_BELOW_MIN_QUANTITY', 422, [string, string]>(
  'TRD_ERR_BELOW_MIN_QUANTITY',
  'Quantity %s is below the venue minimum of %s',
  422,
);
export const AboveMaxQuantityError = createError<'TRD_ERR_ABOVE_MAX_QUANTITY', 422, [string, string]>(
  'TRD_ERR_ABOVE_MAX_QUANTITY',
  'Quantity %s is above the venue maximum of %s',
  422,
);
export const BelowMinNotionalError = createError<'TRD_ERR_BELOW_MIN_NOTIONAL', 422, [string, string]>(
  'TRD_ERR_BELOW_MIN_NOTIONAL',
  'Notional %s is below the venue minimum of %s',
  422,
);
export const PriceOutOfRangeError = createError<'TRD_ERR_PRICE_OUT_OF_RANGE', 422, [string, string, string]>(
  'TRD_ERR_PRICE_OUT_OF_RANGE',
  'Price %s is outside the venue range %s to %s',
  422,
);

import { InvalidDecimalError } from './errors.ts';

export { InvalidDecimalError };
export const PrecisionDisagreementError = createError<'TRD_ERR_PRECISION_DISAGREEMENT', 500, [string, string, string]>(
  'TRD_ERR_PRECISION_DISAGREEMENT',
  'ccxt rounds %s to %s but exact decimal rounding gives %s',
  500,
);

const CCXT_COUNTING_MODE: Readonly<Record<PrecisionMode, number>> = {
  'decimal-places': ccxt.DECIMAL_PLACES,
  'significant-digits': ccxt.SIGNIFICANT_DIGITS,
  'tick-size': ccxt.TICK_SIZE,
};

/** Maps ccxt's `exchange.precisionMode` constant to our name. */
export function precisionModeFromCcxt(mode: number | undefined): PrecisionMode {
  if (mode === ccxt.DECIMAL_PLACES) return 'decimal-places';
  if (mode === ccxt.SIGNIFICANT_DIGITS) return 'significant-digits';
  if (mode === ccxt.TICK_SIZE) return 'tick-size';
  throw new TypeError(`Unknown ccxt precision mode ${String(mode)}`);
}

/** decimal.js for money: 80 significant digits keep sums and quantity x price exact; plain notation always. */
export const ExactDecimal = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });
const Dec = ExactDecimal;

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

/**
 * A decimal string in plain notation ("0.00000001", never "1e-8"), without trailing zeros. ccxt hands
 * market metadata and, in Number mode, parsed values over as JS numbers: those are printed with ccxt's
 * numberToString (the shortest string that reads back as the same double), with no arithmetic on them.
 */
export function toPlainDecimalString(value: string | number, field = 'value'): string {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? ccxt.numberToString(value) : String(value)) : value.trim();
  // ccxt's number normalisation can still leave an exponent on strings it did not produce itself.
  const decimal = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(text) ? new Dec(text) : null;
  if (decimal === null) throw new InvalidDecimalError(field, String(value));
  return plain(decimal);
}

/**
 * Rounds an order to the venue's precision and checks it against the venue's limits.
 *
 * Quantities TRUNCATE: we never send more than was asked for (and never more than the balance or risk
 * check allowed). Prices ROUND to the nearest step: truncating would always move a sell's price down
 * and so systematically against the seller, while the nearest tick is what the trader meant.
 * These are the modes ccxt itself applies in createOrder (amountToPrecision truncates,
 * priceToPrecision rounds), so the values we validate here are the values ccxt sends.
 *
 * Throws RoundsToZeroError, BelowMinQuantityError, AboveMaxQuantityError, PriceOutOfRangeError and
 * BelowMinNotionalError (all 422). The notional check needs a price, so market orders are checked
 * against the minimum notional by the caller with a reference price.
 */
export function applyVenuePrecision(market: VenuePrecisionMarket, order: PricedQuantity): PricedQuantity {
  const requestedQuantity = parsePositive(order.quantity, 'quantity');
  const quantity = roundToVenue(requestedQuantity, ccxt.TRUNCATE, market.precision.amount, market.precisionMode, 'quantity');
  if (quantity.isZero()) throw new RoundsToZeroError('quantity', plain(requestedQuantity), String(market.precision.amount));

  const { min: minQuantity, max: maxQuantity } = readRange(market.limits.amount, 'limits.amount');
  if (minQuantity !== null && quantity.lt(minQuantity)) throw new BelowMinQuantityError(plain(quantity), plain(minQuantity));
  if (maxQuantity !== null && quantity.gt(maxQuantity)) throw new AboveMaxQuantityError(plain(quantity), plain(maxQuantity));

  if (order.price === undefined) return { quantity: plain(quantity) };

  const requestedPrice = parsePositive(order.price, 'price');
  const price = roundToVenue(requestedPrice, ccxt.ROUND, market.precision.price, market.precisionMode, 'price');
  if (price.isZero()) throw new RoundsToZeroError('price', plain(requestedPrice), String(market.precision.price));

  const { min: minPrice, max: maxPrice } = readRange(market.limits.price, 'limits.price');
  if ((minPrice !== null && price.lt(minPrice)) || (maxPrice !== null && price.gt(maxPrice))) {
    throw new PriceOutOfRangeError(plain(price), minPrice === null ? '-' : plain(minPrice), maxPrice === null ? '-' : plain(maxPrice));
  }

  const { min: minNotional } = readRange(market.limits.cost, 'limits.cost');
  const notional = quantity.times(price);
  if (minNotional !== null && notional.lt(minNotional)) throw new BelowMinNotionalError(plain(notional), plain(minNotional));

  return { quantity: plain(quantity), price: plain(price) };
}

/** A market's precision for one field: a tick, or a count of digits (a count, not an amount). */
type Step =
  | { readonly mode: 'tick-size'; readonly tick: Decimal }
  | { readonly mode: 'decimal-places' | 'significant-digits'; readonly digits: number };

/**
 * Rounds with ccxt's decimalToPrecision and cross-checks against exact decimal arithmetic. ccxt's
 * TICK_SIZE + ROUND path goes through floats and lands a tick off for ticks below about 1e-6; then we keep
 * the exact result, but only if ccxt's createOrder would pass it through unchanged.
 */
function roundToVenue(value: Decimal, rounding: number, precision: string | null, mode: PrecisionMode, field: string): Decimal {
  if (precision === null) return value;
  const step = parseStep(precision, mode, field);
  const ccxtPrecision = step.mode === 'tick-size' ? plain(step.tick) : step.digits;
  const counting = CCXT_COUNTING_MODE[mode];
  const viaCcxt = new Dec(ccxt.decimalToPrecision(plain(value), rounding, ccxtPrecision, counting, ccxt.NO_PADDING));
  const exact = roundExactly(value, rounding, step);
  if (viaCcxt.eq(exact)) return exact;
  const reapplied = new Dec(ccxt.decimalToPrecision(plain(exact), rounding, ccxtPrecision, counting, ccxt.NO_PADDING));
  if (reapplied.eq(exact)) return exact;
  throw new PrecisionDisagreementError(plain(value), plain(viaCcxt), plain(exact));
}

function roundExactly(value: Decimal, rounding: number, step: Step): Decimal {
  // ccxt's ROUND is half away from zero, the same as decimal.js ROUND_HALF_UP.
  const decimalRounding = rounding === ccxt.ROUND ? Decimal.ROUND_HALF_UP : Decimal.ROUND_DOWN;
  switch (step.mode) {
    case 'decimal-places': {
      if (step.digits >= 0) return value.toDecimalPlaces(step.digits, decimalRounding);
      // Negative places round to tens, hundreds...
      const unit = new Dec(10).pow(-step.digits);
      return value.div(unit).toDecimalPlaces(0, decimalRounding).times(unit);
    }
    case 'significant-digits':
      return value.toSignificantDigits(step.digits, decimalRounding);
    case 'tick-size':
      return value.div(step.tick).toDecimalPlaces(0, decimalRounding).times(step.tick);
  }
}

function parseStep(precision: string, mode: PrecisionMode, field: string): Step {
  const name = `precision.${field === 'quantity' ? 'amount' : 'price'}`;
  if (mode === 'tick-size') {
    const tick = parseDecimalText(precision, name);
    if (tick.lte(0)) throw new InvalidDecimalError(name, precision);
    return { mode, tick };
  }
  if (!INTEGER.test(precision) || precision.length > 4) throw new InvalidDecimalError(name, precision);
  const digits = Number.parseInt(precision, 10); // not money: a count of digits
  if (mode === 'significant-digits' && digits <= 0) throw new InvalidDecimalError(name, precision);
  return { mode, digits };
}

function readRange(range: DecimalRange | undefined, name: string): { min: Decimal | null; max: Decimal | null } {
  const read = (value: string | null | undefined, bound: string) => (value == null ? null : parseDecimalText(value, `${name}.${bound}`));
  return { min: read(range?.min, 'min'), max: read(range?.max, 'max') };
}

function parsePositive(text: string, field: string): Decimal {
  const value = parseDecimalText(text, field);
  if (value.lte(0)) throw new InvalidDecimalError(field, text);
  return value;
}

function parseDecimalText(text: string, field: string): Decimal {
  if (typeof text !== 'string' || !PLAIN_DECIMAL.test(text)) throw new InvalidDecimalError(field, String(text));
  return new Dec(text);
}

function plain(value: Decimal): string {
  // -0 would print as "-0".
  return value.isZero() ? '0' : value.toFixed();
}

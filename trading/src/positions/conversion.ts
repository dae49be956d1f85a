import { Decimal } from 'decimal.js';
import { Dec, parseDecimal, plain } from './decimal.ts';
import { InvalidRateError, InvalidReportingDecimalsError, RateNotFoundError } from './errors.ts';

/**
 * Prices keyed 'FROM/TO', as venues quote them: { 'BTC/USDT': '65000' } says one BTC is 65000 USDT.
 * Currency codes are matched exactly (uppercase by convention).
 */
export type Rates = Readonly<Record<string, string>>;

/** The currencies a conversion may pass through when no rate links two currencies directly. */
export const BRIDGE_CURRENCIES: readonly string[] = ['USD', 'USDT'];

/** A conversion factor kept as a fraction, so a path with an inverse costs a single division. */
export interface ConversionRatio {
  readonly numerator: Decimal;
  readonly denominator: Decimal;
}

/**
 * Converts an amount between currencies. The rate is, in order of preference:
 * 1. the same currency: the amount itself;
 * 2. the direct pair 'FROM/TO': amount × rate;
 * 3. the inverse pair 'TO/FROM': amount ÷ rate;
 * 4. one hop through USD, then through USDT, each leg direct or inverse: FROM → USD → TO.
 * There is no second hop: a rate path we cannot explain in one line is not one we want in a report.
 *
 * Full precision (80 significant digits, one division at most): round for display with toReporting.
 * Throws TRD_ERR_RATE_NOT_FOUND when no path exists.
 */
export function convert(amount: string, from: string, to: string, rates: Rates): string {
  return plain(applyRatio(parseDecimal(amount, 'amount'), conversionRatio(from, to, rates)));
}

export function conversionRatio(from: string, to: string, rates: Rates): ConversionRatio {
  const direct = oneStep(from, to, rates);
  if (direct !== null) return direct;
  for (const bridge of BRIDGE_CURRENCIES) {
    if (bridge === from || bridge === to) continue;
    const first = oneStep(from, bridge, rates);
    const second = first === null ? null : oneStep(bridge, to, rates);
    if (first !== null && second !== null) {
      return { numerator: first.numerator.times(second.numerator), denominator: first.denominator.times(second.denominator) };
    }
  }
  throw new RateNotFoundError(from, to);
}

export function applyRatio(amount: Decimal, ratio: ConversionRatio): Decimal {
  return amount.times(ratio.numerator).div(ratio.denominator);
}

/**
 * Rounds an amount for presentation, half-even (banker's rounding, so a column of rounded amounts
 * does not drift one way), padded to exactly `decimals` places: '22.5' → '22.5000'.
 */
export function toReporting(amount: string, decimals = 4): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 36) throw new InvalidReportingDecimalsError(String(decimals));
  const rounded = parseDecimal(amount, 'amount').toDecimalPlaces(decimals, Decimal.ROUND_HALF_EVEN);
  // -0.00001 rounds to -0, which would print as '-0.0000'.
  return (rounded.isZero() ? new Dec(0) : rounded).toFixed(decimals);
}

function oneStep(from: string, to: string, rates: Rates): ConversionRatio | null {
  const one = new Dec(1);
  if (from === to) return { numerator: one, denominator: one };
  const directPair = `${from}/${to}`;
  if (Object.hasOwn(rates, directPair)) return { numerator: rateOf(directPair, rates), denominator: one };
  const inversePair = `${to}/${from}`;
  if (Object.hasOwn(rates, inversePair)) return { numerator: one, denominator: rateOf(inversePair, rates) };
  return null;
}

function rateOf(pair: string, rates: Rates): Decimal {
  const text = rates[pair];
  const valid = typeof text === 'string' && /^\d+(\.\d+)?$/.test(text);
  const rate = valid ? new Dec(text) : null;
  if (rate === null || rate.isZero()) throw new InvalidRateError(pair, String(text));
  return rate;
}

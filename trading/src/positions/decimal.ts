import { Decimal } from 'decimal.js';
import { InvalidDecimalError } from './errors.ts';

// 80 significant digits keep sums and products of realistic amounts exact; plain notation always
// (toFixed() never prints an exponent).
export const Dec = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** A decimal from a plain decimal string; anything else ('1e3', 'NaN', a number) throws TRD_ERR_INVALID_DECIMAL. */
export function parseDecimal(text: string, field: string): Decimal {
  if (typeof text !== 'string' || !PLAIN_DECIMAL.test(text)) throw new InvalidDecimalError(field, String(text));
  return new Dec(text);
}

/** Plain notation without trailing zeros; never '-0'. */
export function plain(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}

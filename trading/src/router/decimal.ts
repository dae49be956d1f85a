import { Decimal } from 'decimal.js';

// 80 significant digits keep price × quantity × fee rate exact for any realistic book; plain
// notation always (toFixed() never prints an exponent).
export const Dec = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** A decimal from a plain decimal string, or null for anything else ('1e3', 'NaN', ' 1', a number). */
export function readDecimal(text: unknown): Decimal | null {
  return typeof text === 'string' && PLAIN_DECIMAL.test(text) ? new Dec(text) : null;
}

/** Plain notation without trailing zeros; never '-0'. */
export function plain(value: Decimal): string {
  return value.isZero() ? '0' : value.toFixed();
}

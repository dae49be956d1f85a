import { Decimal } from 'decimal.js';
import { toExactDecimal } from './decimal-string.ts';
import { InvalidFeeDecimalsError } from './errors.ts';

/**
 * The fee on a notional at a rate in basis points, in the quote currency, exact and then rounded UP
 * to `decimals` places: '100.01' at '2.5' bps to 2 decimals is '0.03' (exactly 0.0250025).
 *
 * "Up" is towards +∞ (ceiling), so a charge is never under-collected and a negative rate (a maker
 * rebate) is never over-paid: a rebate of -0.0250025 becomes '-0.02'.
 */
export function feeFor(notional: string, bps: string, decimals: number): string {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 36) throw new InvalidFeeDecimalsError(String(decimals));
  const fee = toExactDecimal(notional).times(toExactDecimal(bps)).dividedBy(10_000);
  const rounded = fee.toDecimalPlaces(decimals, Decimal.ROUND_CEIL);
  // toFixed() with no argument is plain notation without trailing zeros; '-0' would be a surprise.
  return rounded.isZero() ? '0' : rounded.toFixed();
}

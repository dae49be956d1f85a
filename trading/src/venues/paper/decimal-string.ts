import { Decimal } from 'decimal.js';
import { InvalidDecimalError } from './errors.ts';

// Plain notation only, as the API conventions require: no exponent, no hex, no leading '+' or '.'.
const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** An exact decimal as an integer count of 10^-scale: '65000.5' is { units: 650005n, scale: 1 }. */
export interface ScaledInteger {
  units: bigint;
  scale: number;
}

export function isPlainDecimal(value: string): boolean {
  return typeof value === 'string' && PLAIN_DECIMAL.test(value);
}

/** Parses a plain decimal string exactly; trailing fractional zeros are dropped ('0.010' has scale 2). */
export function parseScaled(value: string): ScaledInteger {
  const match = typeof value === 'string' ? PLAIN_DECIMAL.exec(value) : null;
  if (!match) throw new InvalidDecimalError('value', String(value));
  const fraction = (match[3] ?? '').replace(/0+$/, '');
  const units = BigInt(`${match[2]}${fraction}`);
  return { units: match[1] === '-' ? -units : units, scale: fraction.length };
}

const powers: bigint[] = [];
export function pow10(exponent: number): bigint {
  let power = powers[exponent];
  if (power === undefined) {
    power = 10n ** BigInt(exponent);
    powers[exponent] = power;
  }
  return power;
}

/** Renders units × 10^-scale in plain notation with no trailing fractional zeros: '65000.5', '0.00012', '3'. */
export function formatScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  let text: string;
  if (scale === 0) {
    text = digits;
  } else {
    const padded = digits.padStart(scale + 1, '0');
    const whole = padded.slice(0, padded.length - scale);
    const fraction = padded.slice(padded.length - scale).replace(/0+$/, '');
    text = fraction === '' ? whole : `${whole}.${fraction}`;
  }
  return negative && text !== '0' ? `-${text}` : text;
}

// decimal.js rounds every operation to `precision` significant digits (20 by default), which would
// silently round a large notional. 1,000 digits keeps our multiplications and divisions by 10^n exact.
export const ExactDecimal = Decimal.clone({ precision: 1_000, toExpNeg: -1_000, toExpPos: 1_000 });

/** A decimal.js value from a plain decimal string; anything decimal.js would also accept ('1e3', 'NaN') is refused. */
export function toExactDecimal(value: string): Decimal {
  if (!isPlainDecimal(value)) throw new InvalidDecimalError('value', String(value));
  return new ExactDecimal(value);
}

import { Decimal } from 'decimal.js';

// Risk arithmetic is exact decimal, never binary floating point.
const Exact = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -100, toExpPos: 100 });

const DECIMAL_STRING = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;

export class InvalidDecimalError extends Error {
  readonly code = 'RISK_ERR_INVALID_DECIMAL';
  constructor(field: string, value: string) {
    super(`${field} must be a non-negative decimal string in plain notation, got ${JSON.stringify(value)}`);
  }
}

function parse(field: string, value: string): Decimal {
  if (!DECIMAL_STRING.test(value)) throw new InvalidDecimalError(field, value);
  return new Exact(value);
}

/** quantity × price as an exact decimal string in plain notation. */
export function notional(quantity: string, price: string): string {
  return parse('quantity', quantity).times(parse('price', price)).toFixed();
}

export interface NotionalBreach {
  code: 'RISK_ERR_LIMIT_BREACHED';
  limit: string;
  notional: string;
  /** By how much the order exceeds the limit. */
  excess: string;
}

/** Pre-trade check of one order's notional against a limit; null when within it (equal is within). */
export function checkNotionalLimit(order: { quantity: string; price: string }, maxNotional: string): NotionalBreach | null {
  const value = parse('quantity', order.quantity).times(parse('price', order.price));
  const limit = parse('maxNotional', maxNotional);
  if (value.lte(limit)) return null;
  return { code: 'RISK_ERR_LIMIT_BREACHED', limit: limit.toFixed(), notional: value.toFixed(), excess: value.minus(limit).toFixed() };
}

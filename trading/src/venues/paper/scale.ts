import { formatScaled, parseScaled, pow10, type ScaledInteger } from './decimal-string.ts';
import { InvalidIncrementError, PriceOffTickError, QuantityOffLotError } from './errors.ts';

export interface InstrumentIncrements {
  /** Price increment as a plain decimal string, e.g. '0.01'. */
  tickSize: string;
  /** Quantity increment as a plain decimal string, e.g. '0.0001'. */
  lotSize: string;
}

/**
 * Converts between the API's decimal strings and the engine's integers: prices in ticks, quantities
 * in lots. Conversions into ticks/lots are exact or throw; rounding is the caller's decision.
 */
export interface Scale {
  readonly tickSize: string;
  readonly lotSize: string;
  /** @throws PriceOffTickError when the price is not an exact multiple of the tick size. */
  priceToTicks(price: string): bigint;
  ticksToPrice(ticks: bigint): string;
  /** @throws QuantityOffLotError when the quantity is not an exact multiple of the lot size. */
  quantityToLots(quantity: string): bigint;
  lotsToQuantity(lots: bigint): string;
  /** price × quantity in the quote currency, exact. */
  notional(ticks: bigint, lots: bigint): string;
}

export function createScale({ tickSize, lotSize }: InstrumentIncrements): Scale {
  const tick = parseIncrement('tick size', tickSize);
  const lot = parseIncrement('lot size', lotSize);
  const notionalScale = tick.scale + lot.scale;
  const unitsPerTickLot = tick.units * lot.units;

  return {
    tickSize,
    lotSize,
    priceToTicks(price) {
      const steps = countIncrements(price, tick);
      if (steps === null) throw new PriceOffTickError(price, tickSize);
      return steps;
    },
    ticksToPrice: (ticks) => formatScaled(ticks * tick.units, tick.scale),
    quantityToLots(quantity) {
      const steps = countIncrements(quantity, lot);
      if (steps === null) throw new QuantityOffLotError(quantity, lotSize);
      return steps;
    },
    lotsToQuantity: (lots) => formatScaled(lots * lot.units, lot.scale),
    notional: (ticks, lots) => formatScaled(ticks * lots * unitsPerTickLot, notionalScale),
  };
}

function parseIncrement(name: string, value: string): ScaledInteger {
  let increment: ScaledInteger;
  try {
    increment = parseScaled(value);
  } catch {
    throw new InvalidIncrementError(name, String(value));
  }
  if (increment.units <= 0n) throw new InvalidIncrementError(name, value);
  return increment;
}

/** value / increment when that is a whole number, else null. Both are brought to the finer scale first. */
function countIncrements(value: string, increment: ScaledInteger): bigint | null {
  const parsed = parseScaled(value);
  const scale = Math.max(parsed.scale, increment.scale);
  const numerator = parsed.units * pow10(scale - parsed.scale);
  const denominator = increment.units * pow10(scale - increment.scale);
  return numerator % denominator === 0n ? numerator / denominator : null;
}

import { Decimal } from 'decimal.js';
import { Dec, parseDecimal, plain } from './decimal.ts';
import { FeeCurrencyMismatchError, InvalidFillError, InvalidMidPriceError } from './errors.ts';

/**
 * A position in one instrument, average-cost method. Amounts are in the quote currency.
 *
 * Fees are NOT capitalised into the average cost: they are booked in `fees`, so the average cost is
 * the trade price alone and realised P&L is trading P&L before fees (net P&L = realised − fees).
 */
export interface Position {
  /** Signed: long > 0, short < 0. */
  readonly quantity: string;
  /** costBasis / |quantity|, rounded half-even to 30 places for display; null when flat. */
  readonly averageCost: string | null;
  /**
   * What the open quantity cost (long) or was sold for (short), kept exactly. Realised P&L is computed
   * from it rather than from the rounded average, so a non-terminating average (302 / 3) never leaks
   * rounding into P&L: closing everything releases the whole basis.
   */
  readonly costBasis: string;
  readonly realizedPnl: string;
  /** Fees paid, in the quote currency (a negative fee, a rebate, lowers it). */
  readonly fees: string;
}

export interface Fill {
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  readonly price: string;
  readonly fee: string;
  readonly feeCurrency: string;
  readonly quoteCurrency: string;
}

export interface MarkToMarket {
  /** Long: quantity × mid − costBasis. Short: costBasis − |quantity| × mid. */
  readonly unrealizedPnl: string;
  /** quantity × mid, signed: a short's market value is negative. */
  readonly marketValue: string;
}

// Releasing part of a basis is the one quotient here (basis × closed / open). 30 places is far below
// any asset's smallest unit (ETH has 18) and keeps every later sum exact within 80 digits.
const BASIS_DECIMALS = 30;

/**
 * Applies one fill to a position (null: no position yet).
 *
 * - Opening or adding in the same direction adds quantity × price to the basis: the average cost moves
 *   to the quantity-weighted average.
 * - Reducing releases the closed share of the basis and realises the difference: for a long,
 *   price × closed − released; for a short, released − price × closed. The average cost is unchanged.
 * - A fill larger than the position closes it, then opens the rest in the other direction at the fill price.
 * - Flat: quantity '0', averageCost null, costBasis '0'.
 *
 * The fee must be in the quote currency (a zero fee may name any currency): a fee in the base or a
 * third currency changes what the position holds or needs a rate, so the caller converts it first
 * (see convert) and passes feeCurrency = quoteCurrency. Throws TRD_ERR_FEE_CURRENCY_MISMATCH otherwise.
 */
export function applyFill(position: Position | null, fill: Fill): Position {
  if (fill.side !== 'buy' && fill.side !== 'sell') throw new InvalidFillError(`side must be buy or sell, got ${String(fill.side)}`);
  const fillQuantity = parseDecimal(fill.quantity, 'fill.quantity');
  const price = parseDecimal(fill.price, 'fill.price');
  const fee = parseDecimal(fill.fee, 'fill.fee');
  if (fillQuantity.lte(0)) throw new InvalidFillError(`quantity must be positive, got ${fill.quantity}`);
  if (price.lte(0)) throw new InvalidFillError(`price must be positive, got ${fill.price}`);
  if (!fee.isZero() && fill.feeCurrency !== fill.quoteCurrency) throw new FeeCurrencyMismatchError(fill.feeCurrency, fill.quoteCurrency);

  let quantity = position === null ? new Dec(0) : parseDecimal(position.quantity, 'position.quantity');
  let basis = position === null ? new Dec(0) : parseDecimal(position.costBasis, 'position.costBasis');
  let realized = position === null ? new Dec(0) : parseDecimal(position.realizedPnl, 'position.realizedPnl');
  const fees = (position === null ? new Dec(0) : parseDecimal(position.fees, 'position.fees')).plus(fee);

  const direction = fill.side === 'buy' ? 1 : -1;
  let opening = fillQuantity;
  if (!quantity.isZero() && quantity.s !== direction) {
    const open = quantity.abs();
    const closed = Dec.min(fillQuantity, open);
    const released = closed.eq(open) ? basis : basis.times(closed).div(open).toDecimalPlaces(BASIS_DECIMALS, Decimal.ROUND_HALF_EVEN);
    const tradeValue = price.times(closed);
    realized = realized.plus(quantity.gt(0) ? tradeValue.minus(released) : released.minus(tradeValue));
    basis = basis.minus(released);
    quantity = quantity.plus(closed.times(direction));
    opening = fillQuantity.minus(closed);
  }
  if (opening.gt(0)) {
    quantity = quantity.plus(opening.times(direction));
    basis = basis.plus(price.times(opening));
  }
  return positionOf(quantity, basis, realized, fees);
}

/** Values a position at a mid price, in the quote currency. */
export function markToMarket(position: Position, mid: string): MarkToMarket {
  const price = parseDecimal(mid, 'mid');
  if (price.lte(0)) throw new InvalidMidPriceError(mid);
  const quantity = parseDecimal(position.quantity, 'position.quantity');
  const basis = parseDecimal(position.costBasis, 'position.costBasis');
  const marketValue = quantity.times(price);
  const unrealized = quantity.isZero() ? new Dec(0) : quantity.gt(0) ? marketValue.minus(basis) : marketValue.plus(basis);
  return { unrealizedPnl: plain(unrealized), marketValue: plain(marketValue) };
}

function positionOf(quantity: Decimal, basis: Decimal, realized: Decimal, fees: Decimal): Position {
  const averageCost = quantity.isZero() ? null : plain(basis.div(quantity.abs()).toDecimalPlaces(BASIS_DECIMALS, Decimal.ROUND_HALF_EVEN));
  return { quantity: plain(quantity), averageCost, costBasis: plain(basis), realizedPnl: plain(realized), fees: plain(fees) };
}

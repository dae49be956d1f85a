import type { Decimal } from 'decimal.js';
import { applyRatio, type ConversionRatio, conversionRatio, type Rates } from './conversion.ts';
import { Dec, parseDecimal, plain } from './decimal.ts';
import { MidPriceNotFoundError } from './errors.ts';
import { markToMarket, type Position } from './position.ts';

export interface InstrumentPosition {
  readonly instrument: string;
  readonly base: string;
  readonly quote: string;
  readonly position: Position;
}

/** Amounts in the reporting currency, full precision (round them with toReporting). */
export interface PnlAmounts {
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
  readonly fees: string;
  /** realizedPnl + unrealizedPnl − fees. */
  readonly netPnl: string;
  readonly marketValue: string;
}

export interface InstrumentPnl extends PnlAmounts {
  readonly instrument: string;
  readonly base: string;
  readonly quote: string;
  /** In the base currency, signed. */
  readonly quantity: string;
}

export interface PnlSummary {
  readonly reportingCurrency: string;
  readonly instruments: InstrumentPnl[];
  readonly total: PnlAmounts;
}

/**
 * Realised, unrealised and fees per instrument and in total, in the reporting currency: one line per
 * entry, in the order given. Each open position is marked at mids[instrument] (a flat one needs no mid);
 * quote amounts are converted with convert's rules at the rates given, so realised P&L is valued at
 * today's rates, not at the rates of the day it was realised.
 *
 * Throws TRD_ERR_MID_PRICE_NOT_FOUND for an open position without a mid, and TRD_ERR_RATE_NOT_FOUND
 * when a non-zero amount cannot be converted.
 */
export function summarisePnl(
  positions: readonly InstrumentPosition[],
  mids: Readonly<Record<string, string>>,
  rates: Rates,
  reportingCurrency: string,
): PnlSummary {
  const zero = new Dec(0);
  const total = { realized: zero, unrealized: zero, fees: zero, marketValue: zero };
  const instruments = positions.map(({ instrument, base, quote, position }): InstrumentPnl => {
    const quantity = parseDecimal(position.quantity, `${instrument} position.quantity`);
    let marked = { unrealizedPnl: '0', marketValue: '0' };
    if (!quantity.isZero()) {
      const mid = Object.hasOwn(mids, instrument) ? mids[instrument] : undefined;
      if (mid === undefined) throw new MidPriceNotFoundError(instrument);
      marked = markToMarket(position, mid);
    }
    const inQuote = {
      realized: parseDecimal(position.realizedPnl, `${instrument} position.realizedPnl`),
      unrealized: new Dec(marked.unrealizedPnl),
      fees: parseDecimal(position.fees, `${instrument} position.fees`),
      marketValue: new Dec(marked.marketValue),
    };
    // A line that is all zeros needs no rate.
    const ratio: ConversionRatio | null = Object.values(inQuote).every((amount) => amount.isZero())
      ? null
      : conversionRatio(quote, reportingCurrency, rates);
    const inReporting = (amount: Decimal) => (ratio === null ? zero : applyRatio(amount, ratio));
    const realized = inReporting(inQuote.realized);
    const unrealized = inReporting(inQuote.unrealized);
    const fees = inReporting(inQuote.fees);
    const marketValue = inReporting(inQuote.marketValue);
    total.realized = total.realized.plus(realized);
    total.unrealized = total.unrealized.plus(unrealized);
    total.fees = total.fees.plus(fees);
    total.marketValue = total.marketValue.plus(marketValue);
    return { instrument, base, quote, quantity: plain(quantity), ...amounts(realized, unrealized, fees, marketValue) };
  });
  return {
    reportingCurrency,
    instruments,
    total: amounts(total.realized, total.unrealized, total.fees, total.marketValue),
  };
}

function amounts(realized: Decimal, unrealized: Decimal, fees: Decimal, marketValue: Decimal): PnlAmounts {
  return {
    realizedPnl: plain(realized),
    unrealizedPnl: plain(unrealized),
    fees: plain(fees),
    netPnl: plain(realized.plus(unrealized).minus(fees)),
    marketValue: plain(marketValue),
  };
}

import type { Decimal } from 'decimal.js';
import { toExactDecimal } from './decimal-string.ts';
import type { EngineFill } from './engine-types.ts';
import { InvalidCandleIntervalError } from './errors.ts';
import type { Scale } from './scale.ts';

/** One execution in API terms: decimal strings and epoch ms. */
export interface Trade {
  time: number;
  price: string;
  quantity: string;
}

/** OHLCV over [openTime, openTime + intervalMs). Volume is in the base currency. */
export interface Candle {
  openTime: number;
  closeTime: number;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  trades: number;
}

export function tradeFromFill(fill: EngineFill, scale: Scale, time: number): Trade {
  return { time, price: scale.ticksToPrice(fill.price), quantity: scale.lotsToQuantity(fill.quantity) };
}

/**
 * Buckets trades into candles aligned to multiples of intervalMs since the epoch, oldest first.
 * Intervals without trades get no candle (there is no price to invent). Trades are ordered by time,
 * keeping the given order among equal times, so open and close are the first and last executions.
 */
export function candles(trades: Iterable<Trade>, intervalMs: number): Candle[] {
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) throw new InvalidCandleIntervalError(String(intervalMs));
  const ordered = [...trades].sort((a, b) => a.time - b.time);
  const out: Candle[] = [];
  let current:
    | { openTime: number; open: Decimal; high: Decimal; low: Decimal; close: Decimal; volume: Decimal; trades: number }
    | undefined;
  const flush = () => {
    if (current === undefined) return;
    out.push({
      openTime: current.openTime,
      closeTime: current.openTime + intervalMs,
      open: current.open.toFixed(),
      high: current.high.toFixed(),
      low: current.low.toFixed(),
      close: current.close.toFixed(),
      volume: current.volume.toFixed(),
      trades: current.trades,
    });
  };
  for (const trade of ordered) {
    const openTime = Math.floor(trade.time / intervalMs) * intervalMs;
    const price = toExactDecimal(trade.price);
    const quantity = toExactDecimal(trade.quantity);
    if (current === undefined || current.openTime !== openTime) {
      flush();
      current = { openTime, open: price, high: price, low: price, close: price, volume: quantity, trades: 1 };
      continue;
    }
    if (price.greaterThan(current.high)) current.high = price;
    if (price.lessThan(current.low)) current.low = price;
    current.close = price;
    current.volume = current.volume.plus(quantity);
    current.trades++;
  }
  flush();
  return out;
}

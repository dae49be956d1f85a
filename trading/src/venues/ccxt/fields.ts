/* Reading the fields of ccxt's unified structures into our wire formats. */
import { toPlainDecimalString } from '../../precision.ts';

/**
 * A value from a ccxt structure as a plain decimal string, or null when ccxt left it empty. We run ccxt
 * with `number: String`, so values arrive as the venue's own decimal strings ("0.10000000"); a few paths
 * (order book levels) still produce doubles, which are printed exactly as ccxt would print them.
 */
export function readCcxtDecimal(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new TypeError(`ccxt ${field} is neither a decimal string nor a number: ${typeof value}`);
  }
  return toPlainDecimalString(value, field);
}

/** A ccxt timestamp (milliseconds since the epoch) as RFC 3339 UTC with microseconds, or null when absent. */
export function readCcxtTimestamp(epochMs: unknown): string | null {
  if (epochMs === undefined || epochMs === null) return null;
  if (typeof epochMs !== 'number' || !Number.isInteger(epochMs))
    throw new TypeError(`ccxt timestamp is not an integer: ${String(epochMs)}`);
  return toRfc3339Micro(new Date(epochMs));
}

/** 2024-01-14T19:10:39.563000Z: ccxt and the venues' REST replies carry milliseconds at best. */
export function toRfc3339Micro(time: Date): string {
  return `${time.toISOString().slice(0, 23)}000Z`;
}

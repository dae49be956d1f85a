export { BRIDGE_CURRENCIES, convert, type Rates, toReporting } from './conversion.ts';
export {
  FeeCurrencyMismatchError,
  InvalidDecimalError,
  InvalidFillError,
  InvalidMidPriceError,
  InvalidRateError,
  InvalidReportingDecimalsError,
  MidPriceNotFoundError,
  RateNotFoundError,
} from './errors.ts';
export { type InstrumentPnl, type InstrumentPosition, type PnlAmounts, type PnlSummary, summarisePnl } from './pnl-summary.ts';
export { applyFill, type Fill, type MarkToMarket, markToMarket, type Position } from './position.ts';

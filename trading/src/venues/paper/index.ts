// The paper venue: an in-process matching engine per instrument, with a synthetic or replayed market.
export { type Candle, candles, type Trade, tradeFromFill } from './candles.ts';
export type {
  AmendChanges,
  BookLevel,
  BookSnapshot,
  EngineFill,
  EngineOrder,
  OrderStatus,
  OrderType,
  RejectReason,
  RestingOrder,
  RestoredOrder,
  Side,
  SubmitResult,
  TimeInForce,
} from './engine-types.ts';
export {
  InvalidCandleIntervalError,
  InvalidDecimalError,
  InvalidFeeDecimalsError,
  InvalidIncrementError,
  InvalidRestoreError,
  InvalidSyntheticMarketError,
  PriceOffTickError,
  QuantityOffLotError,
} from './errors.ts';
export { feeFor } from './fees.ts';
export { OrderBook } from './matching-engine.ts';
export { createScale, type InstrumentIncrements, type Scale } from './scale.ts';
export {
  createSyntheticMarket,
  MARKET_MAKER_OWNER_ID,
  type MarketStep,
  mulberry32,
  type RecordedBook,
  type SyntheticMarket,
  type SyntheticMarketOptions,
} from './synthetic-market.ts';

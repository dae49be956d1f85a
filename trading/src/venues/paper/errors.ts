import createError from '@fastify/error';

// The paper venue's errors. They extend the trading package's registry (TRD_ERR_…) and belong in
// trading/src/errors.ts; they live here until that file re-exports them.
export { InvalidDecimalError } from '../../errors.ts';
export const PriceOffTickError = createError<'TRD_ERR_PRICE_OFF_TICK', 422, [string, string]>(
  'TRD_ERR_PRICE_OFF_TICK',
  'Price %s is not a multiple of the tick size %s',
  422,
);
export const QuantityOffLotError = createError<'TRD_ERR_QUANTITY_OFF_LOT', 422, [string, string]>(
  'TRD_ERR_QUANTITY_OFF_LOT',
  'Quantity %s is not a multiple of the lot size %s',
  422,
);
// A misconfigured instrument is our fault, not the caller's: 500, so its message is never shown.
export const InvalidIncrementError = createError<'TRD_ERR_INVALID_INCREMENT', 500, [string, string]>(
  'TRD_ERR_INVALID_INCREMENT',
  'The %s must be a positive plain decimal, got %s',
  500,
);
export const InvalidFeeDecimalsError = createError<'TRD_ERR_INVALID_FEE_DECIMALS', 500, [string]>(
  'TRD_ERR_INVALID_FEE_DECIMALS',
  'Fee decimals must be an integer from 0 to 36, got %s',
  500,
);
export const InvalidCandleIntervalError = createError<'TRD_ERR_INVALID_CANDLE_INTERVAL', 500, [string]>(
  'TRD_ERR_INVALID_CANDLE_INTERVAL',
  'A candle interval must be a positive whole number of milliseconds, got %s',
  500,
);
export const InvalidSyntheticMarketError = createError<'TRD_ERR_INVALID_SYNTHETIC_MARKET', 500, [string]>(
  'TRD_ERR_INVALID_SYNTHETIC_MARKET',
  'Invalid synthetic market: %s',
  500,
);
// A record that cannot rest (the venue reloading its book): our data or our code is wrong, not the caller.
export const InvalidRestoreError = createError<'TRD_ERR_INVALID_RESTORE', 500, [string]>(
  'TRD_ERR_INVALID_RESTORE',
  'A restored order needs %s',
  500,
);

import createError from '@fastify/error';

// The positions engine's errors. They extend the trading package's registry (TRD_ERR_…) and belong in
// trading/src/errors.ts; they live here until that file re-exports them.
export { InvalidDecimalError } from '../errors.ts';
export const InvalidFillError = createError<'TRD_ERR_INVALID_FILL', 422, [string]>('TRD_ERR_INVALID_FILL', 'Invalid fill: %s', 422);
export const FeeCurrencyMismatchError = createError<'TRD_ERR_FEE_CURRENCY_MISMATCH', 422, [string, string]>(
  'TRD_ERR_FEE_CURRENCY_MISMATCH',
  'A fee in %s cannot be booked on a position quoted in %s: convert it to the quote currency first',
  422,
);
export const RateNotFoundError = createError<'TRD_ERR_RATE_NOT_FOUND', 422, [string, string]>(
  'TRD_ERR_RATE_NOT_FOUND',
  'No rate converts %s to %s directly, inversely or through USD or USDT',
  422,
);
export const InvalidRateError = createError<'TRD_ERR_INVALID_RATE', 422, [string, string]>(
  'TRD_ERR_INVALID_RATE',
  'The rate %s must be a positive plain decimal string, got %s',
  422,
);
export const MidPriceNotFoundError = createError<'TRD_ERR_MID_PRICE_NOT_FOUND', 422, [string]>(
  'TRD_ERR_MID_PRICE_NOT_FOUND',
  'No mid price to value the open position in %s',
  422,
);
export const InvalidMidPriceError = createError<'TRD_ERR_INVALID_MID_PRICE', 422, [string]>(
  'TRD_ERR_INVALID_MID_PRICE',
  'A mid price must be positive, got %s',
  422,
);
// A bad decimals argument is a programming error, not the caller's: 500, so its message is never shown.
export const InvalidReportingDecimalsError = createError<'TRD_ERR_INVALID_REPORTING_DECIMALS', 500, [string]>(
  'TRD_ERR_INVALID_REPORTING_DECIMALS',
  'Reporting decimals must be an integer from 0 to 36, got %s',
  500,
);

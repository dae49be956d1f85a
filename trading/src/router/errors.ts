import createError from '@fastify/error';

// The router's errors. They extend the trading package's registry (TRD_ERR_…) and belong in
// trading/src/errors.ts; they live here until that file re-exports them.
export { InvalidDecimalError } from '../errors.ts';
export const InvalidRouteRequestError = createError<'TRD_ERR_INVALID_ROUTE_REQUEST', 400, [string]>(
  'TRD_ERR_INVALID_ROUTE_REQUEST',
  'Invalid route request: %s',
  400,
);
// Books come from our market-data adapters, not from the client: a bad one is our fault, so 500.
export const InvalidVenueBookError = createError<'TRD_ERR_INVALID_VENUE_BOOK', 500, [string, string]>(
  'TRD_ERR_INVALID_VENUE_BOOK',
  'Invalid order book for venue %s: %s',
  500,
);

/*
 * What each ccxt-backed venue allows us, declared rather than coded (as hummingbot's <venue>_constants).
 *
 * Two layers enforce them. ccxt's own throttle (enableRateLimit) spaces every REST call of one exchange
 * instance by `ccxtRateLimitMs`, scaled by each endpoint's cost in ccxt's API table; that keeps a single
 * instance under the venue's IP budget. The windows below are the venue's published budgets, for the
 * limiter in front of the venues (per account and per tenant) and for operators; the venue's own
 * answer (binance exchangeInfo.rateLimits, kraken's tier) wins where they differ.
 */

export type CcxtExchangeId = 'binance' | 'coinbase' | 'kraken';

export const CCXT_EXCHANGE_IDS: readonly CcxtExchangeId[] = ['binance', 'coinbase', 'kraken'];

export type RateLimit =
  /** At most `limit` units (requests, or the venue's weight) in any `intervalSeconds` window. */
  | {
      readonly kind: 'window';
      readonly id: string;
      readonly scope: 'ip' | 'account';
      readonly limit: number;
      readonly intervalSeconds: number;
      readonly appliesTo: 'all-requests' | 'orders';
    }
  /** A counter that each call raises and that decays at `decayPerSecond`; calls fail past `max`. */
  | {
      readonly kind: 'decaying-counter';
      readonly id: string;
      readonly scope: 'account' | 'account-and-pair';
      readonly max: number;
      readonly decayPerSecond: number;
      readonly appliesTo: 'all-requests' | 'orders';
    };

export interface CcxtVenueConstants {
  readonly exchange: CcxtExchangeId;
  /** ccxt's `rateLimit` for the exchange in the ccxt version we pin: milliseconds between unit-cost calls. */
  readonly ccxtRateLimitMs: number;
  readonly rateLimits: readonly RateLimit[];
  /** The createOrder param that carries our clientOrderId through ccxt to the venue. */
  readonly clientOrderIdParam: 'newClientOrderId' | 'clientOrderId' | 'client_order_id';
  /** The venue's own maximum; ours (36) fits all three. */
  readonly maxClientOrderIdLength: number;
}

export const CCXT_VENUES: Readonly<Record<CcxtExchangeId, CcxtVenueConstants>> = {
  binance: {
    exchange: 'binance',
    ccxtRateLimitMs: 50,
    rateLimits: [
      { kind: 'window', id: 'REQUEST_WEIGHT', scope: 'ip', limit: 6000, intervalSeconds: 60, appliesTo: 'all-requests' },
      { kind: 'window', id: 'RAW_REQUESTS', scope: 'ip', limit: 61000, intervalSeconds: 300, appliesTo: 'all-requests' },
      { kind: 'window', id: 'ORDERS', scope: 'account', limit: 100, intervalSeconds: 10, appliesTo: 'orders' },
      { kind: 'window', id: 'ORDERS_24H', scope: 'account', limit: 200000, intervalSeconds: 86400, appliesTo: 'orders' },
    ],
    clientOrderIdParam: 'newClientOrderId',
    maxClientOrderIdLength: 36,
  },
  coinbase: {
    exchange: 'coinbase',
    ccxtRateLimitMs: 34,
    rateLimits: [
      { kind: 'window', id: 'PRIVATE_REST', scope: 'account', limit: 30, intervalSeconds: 1, appliesTo: 'all-requests' },
      { kind: 'window', id: 'PUBLIC_REST', scope: 'ip', limit: 10, intervalSeconds: 1, appliesTo: 'all-requests' },
    ],
    // ccxt drops a unified clientOrderId param on coinbase; the venue field passes through as is.
    clientOrderIdParam: 'client_order_id',
    maxClientOrderIdLength: 128,
  },
  kraken: {
    exchange: 'kraken',
    ccxtRateLimitMs: 1000,
    rateLimits: [
      // Starter tier; intermediate is 20 at 0.5/s and pro 20 at 1/s.
      { kind: 'decaying-counter', id: 'API_COUNTER', scope: 'account', max: 15, decayPerSecond: 0.33, appliesTo: 'all-requests' },
      // Starter tier, per pair; a cancel shortly after placement costs extra on kraken's side.
      { kind: 'decaying-counter', id: 'TRADING_COUNTER', scope: 'account-and-pair', max: 60, decayPerSecond: 1, appliesTo: 'orders' },
    ],
    // ccxt maps a unified clientOrderId to kraken's cl_ord_id (userref is a 32-bit integer tag).
    clientOrderIdParam: 'clientOrderId',
    maxClientOrderIdLength: 36,
  },
};

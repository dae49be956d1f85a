import createError from '@fastify/error';
import ccxt, { type Exchange, type Order } from 'ccxt';
import type { OrderStatus } from '../../orders/state-machine.ts';
import { applyVenuePrecision, ExactDecimal, type PrecisionMode } from '../../precision.ts';
import type { VenueCredentialFields } from '../../vault/envelope.ts';
import {
  type PriceLevel,
  type VenueAdapter,
  type VenueBalance,
  type VenueMarket,
  type VenueOperation,
  type VenueOrder,
  type VenueOrderBook,
  type VenueOrderRequest,
  VenueRejectedError,
  VenueTimeoutError,
} from '../types.ts';
import { CCXT_VENUES, type CcxtExchangeId } from './constants.ts';
import { readCcxtDecimal, readCcxtTimestamp, toRfc3339Micro } from './fields.ts';
import { loadVenueMarkets } from './markets.ts';
import { toVenueOrder } from './orders.ts';

/**
 * ccxt's transport, `Exchange.fetch(url, method, headers, body)`: takes the signed request, resolves to
 * the decoded response body. Replacing it bypasses ccxt's HTTP layer (status codes, `handleErrors`), so a
 * replacement reports failures by throwing ccxt's errors itself (ccxt.RequestTimeout, ccxt.OrderNotFound).
 * Tests replay recorded venue replies through it; production leaves it unset.
 */
export type CcxtFetch = (
  url: string,
  method: string,
  headers: Record<string, string> | undefined,
  body: string | undefined,
) => Promise<unknown>;

export interface CcxtVenueOptions {
  readonly exchange: CcxtExchangeId;
  readonly credentials: VenueCredentialFields;
  readonly fetchImpl?: CcxtFetch;
  /**
   * ccxt unified markets to use instead of loading them from the venue, with the precision mode they
   * were recorded under (it becomes the exchange's, so ccxt's own rounding reads them the same way).
   */
  readonly markets?: { readonly precisionMode: PrecisionMode; readonly bySymbol: Record<string, unknown> };
  /** Per-request timeout; ccxt's default is 10 s. */
  readonly timeoutMs?: number;
  /** Receipt time for order books the venue does not timestamp. */
  readonly now?: () => Date;
}

/** A ccxt venue: the VenueAdapter contract plus the lookups reconciliation needs. */
export interface CcxtVenue extends VenueAdapter {
  readonly id: CcxtExchangeId;
  fetchOrder(venueOrderId: string, symbol: string): Promise<VenueOrder>;
  fetchOpenOrders(symbol?: string): Promise<VenueOrder[]>;
}

export const UnknownVenueMarketError = createError<'TRD_ERR_UNKNOWN_VENUE_MARKET', 422, [string, string]>(
  'TRD_ERR_UNKNOWN_VENUE_MARKET',
  '%s has no spot market %s',
  422,
);
export const UnsupportedVenueOrderError = createError<'TRD_ERR_UNSUPPORTED_VENUE_ORDER', 422, [string, string]>(
  'TRD_ERR_UNSUPPORTED_VENUE_ORDER',
  '%s: %s',
  422,
);

const EXCHANGE_CLASSES = { binance: ccxt.binance, coinbase: ccxt.coinbase, kraken: ccxt.kraken } as const;

const CCXT_PRECISION_MODES: Readonly<Record<PrecisionMode, number>> = {
  'decimal-places': ccxt.DECIMAL_PLACES,
  'significant-digits': ccxt.SIGNIFICANT_DIGITS,
  'tick-size': ccxt.TICK_SIZE,
};

// How many recent orders a coinbase lookup by client order id scans: its order list cannot filter by it.
const COINBASE_LOOKUP_WINDOW = 100;

export function createCcxtVenue(options: CcxtVenueOptions): CcxtVenue {
  const venue = options.exchange;
  const exchange = createExchange(options);
  const now = options.now ?? (() => new Date());
  const lookup = { exchange: venue, fallbackStatus: 'unknown' as OrderStatus };

  // Every operation starts here, so a market-loading failure surfaces as 'loadMarkets': nothing was sent.
  async function markets(): Promise<ReadonlyMap<string, VenueMarket>> {
    try {
      return await loadVenueMarkets(exchange);
    } catch (error) {
      throw translateFailure(error, 'loadMarkets', null);
    }
  }

  async function marketFor(symbol: string): Promise<VenueMarket> {
    const market = (await markets()).get(symbol);
    if (market === undefined) throw new UnknownVenueMarketError(venue, symbol);
    return market;
  }

  async function placeOrder(req: VenueOrderRequest): Promise<VenueOrder> {
    if (req.type === 'limit' && req.price === undefined) throw new UnsupportedVenueOrderError(venue, 'a limit order needs a price');
    if (venue === 'coinbase' && req.type === 'market' && req.side === 'buy') {
      // ccxt sizes coinbase market buys in the quote currency (quote_size); our quantities are base.
      throw new UnsupportedVenueOrderError(venue, 'market buys are sized in the quote currency; send a limit order');
    }
    const market = await marketFor(req.symbol);
    const rounded = applyVenuePrecision(market, { quantity: req.quantity, ...(req.type === 'limit' ? { price: req.price } : {}) });
    const sent: VenueOrderRequest = {
      ...req,
      quantity: rounded.quantity,
      ...(rounded.price === undefined ? {} : { price: rounded.price }),
    };
    const params: Record<string, unknown> = { [CCXT_VENUES[venue].clientOrderIdParam]: req.clientOrderId };
    if (req.timeInForce !== undefined) params.timeInForce = req.timeInForce;
    if (req.postOnly === true) params.postOnly = true;

    let reply: Order;
    try {
      // Exactly one attempt: retries are off in ccxt (maxRetriesOnFailure: 0) and never done here, because
      // a request that timed out may have placed the order. Quantities go in as decimal strings: ccxt's
      // amount/price handling (numberToString, Precise) takes them as they are, a double would not be exact.
      reply = await exchange.createOrder(
        sent.symbol,
        sent.type,
        sent.side,
        asCcxtNumber(sent.quantity),
        asCcxtNumberOrUndefined(sent.price),
        params,
      );
    } catch (error) {
      throw translateFailure(error, 'placeOrder', req.clientOrderId);
    }
    try {
      return toVenueOrder(reply, { exchange: venue, fallbackStatus: 'new', request: sent });
    } catch (error) {
      // The venue accepted something we cannot read: as unknown as a timeout, resolve by lookup.
      throw new VenueTimeoutError(venue, 'placeOrder', req.clientOrderId, { cause: error });
    }
  }

  async function cancelOrder(venueOrderId: string, symbol: string): Promise<VenueOrder> {
    await marketFor(symbol);
    let reply: Order;
    try {
      reply = await exchange.cancelOrder(venueOrderId, symbol);
    } catch (error) {
      throw translateFailure(error, 'cancelOrder', null);
    }
    // Kraken acknowledges a cancel with a count only; look the order up for the rest.
    let order: VenueOrder;
    if (reply.amount === undefined || reply.amount === null) {
      order = await fetchOrder(venueOrderId, symbol);
    } else {
      try {
        order = toVenueOrder(reply, { exchange: venue, fallbackStatus: 'pending-cancel' });
      } catch (error) {
        throw new VenueTimeoutError(venue, 'cancelOrder', null, { cause: error });
      }
    }
    // An acknowledged cancel on an order that still shows as working is in flight, not refused.
    return order.status === 'new' || order.status === 'partially-filled' ? { ...order, status: 'pending-cancel' } : order;
  }

  async function fetchOrder(venueOrderId: string, symbol: string): Promise<VenueOrder> {
    await marketFor(symbol);
    try {
      return toVenueOrder(await exchange.fetchOrder(venueOrderId, symbol), lookup);
    } catch (error) {
      throw translateFailure(error, 'fetchOrder', null);
    }
  }

  async function fetchOpenOrders(symbol?: string): Promise<VenueOrder[]> {
    if (symbol !== undefined) await marketFor(symbol);
    else await markets();
    try {
      return readOrders(await exchange.fetchOpenOrders(symbol), 'new');
    } catch (error) {
      throw translateFailure(error, 'fetchOpenOrders', null);
    }
  }

  async function fetchOrderByClientId(clientOrderId: string, symbol: string): Promise<VenueOrder | null> {
    await marketFor(symbol);
    const matching = (orders: VenueOrder[]) => orders.find((order) => order.clientOrderId === clientOrderId) ?? null;
    try {
      switch (venue) {
        case 'binance':
          // One call covers open and finished orders; the id argument is ignored when origClientOrderId is set.
          return matching([toVenueOrder(await exchange.fetchOrder(clientOrderId, symbol, { origClientOrderId: clientOrderId }), lookup)]);
        case 'kraken': {
          // Kraken filters both lists by cl_ord_id itself; we check the id again all the same.
          const filter = { clientOrderId };
          const open = matching(readOrders(await exchange.fetchOpenOrders(symbol, undefined, undefined, filter), 'new'));
          return open ?? matching(readOrders(await exchange.fetchClosedOrders(symbol, undefined, undefined, filter), 'unknown'));
        }
        case 'coinbase':
          return matching(readOrders(await exchange.fetchOrders(symbol, undefined, COINBASE_LOOKUP_WINDOW), 'unknown'));
      }
    } catch (error) {
      if (error instanceof ccxt.OrderNotFound) return null;
      throw translateFailure(error, 'fetchOrderByClientId', clientOrderId);
    }
  }

  async function fetchOrderBook(symbol: string, depth: number): Promise<VenueOrderBook> {
    await marketFor(symbol);
    try {
      const book = await exchange.fetchOrderBook(symbol, depth);
      const field = `${venue} ${symbol} book`;
      const levels = (side: unknown[][]) => side.map((level): PriceLevel => readLevel(level, field));
      // Sorted here with decimals rather than trusted from ccxt, whose sort compares whatever type it holds.
      const bids = levels(book.bids).sort((a, b) => new ExactDecimal(b[0]).comparedTo(a[0]));
      const asks = levels(book.asks).sort((a, b) => new ExactDecimal(a[0]).comparedTo(b[0]));
      return {
        bids: bids.slice(0, depth),
        asks: asks.slice(0, depth),
        timestamp: readCcxtTimestamp(book.timestamp) ?? toRfc3339Micro(now()),
      };
    } catch (error) {
      throw translateFailure(error, 'fetchOrderBook', null);
    }
  }

  async function fetchBalance(): Promise<Record<string, VenueBalance>> {
    await markets();
    try {
      const balances: Record<string, unknown> = { ...(await exchange.fetchBalance()) };
      const result: Record<string, VenueBalance> = {};
      for (const [currency, entry] of Object.entries(balances)) {
        if (BALANCE_SUMMARY_KEYS.has(currency) || typeof entry !== 'object' || entry === null) continue;
        result[currency] = readBalance(entry as Record<string, unknown>, `${venue} ${currency} balance`);
      }
      return result;
    } catch (error) {
      throw translateFailure(error, 'fetchBalance', null);
    }
  }

  function readOrders(orders: Order[], fallbackStatus: OrderStatus): VenueOrder[] {
    return orders.map((order) => toVenueOrder(order, { exchange: venue, fallbackStatus }));
  }

  function translateFailure(error: unknown, operation: VenueOperation, clientOrderId: string | null): unknown {
    // A venue answer that refuses is definite; anything else (timeouts, dropped connections, unreadable
    // replies) leaves the outcome unknown.
    if (error instanceof ccxt.ExchangeError) return new VenueRejectedError(venue, operation, error.message, { cause: error });
    if (error instanceof ccxt.BaseError || operation === 'placeOrder' || operation === 'cancelOrder') {
      return new VenueTimeoutError(venue, operation, clientOrderId, { cause: error });
    }
    return error;
  }

  return {
    id: venue,
    async loadMarkets() {
      return [...(await markets()).values()];
    },
    placeOrder,
    cancelOrder,
    fetchOrderByClientId,
    fetchOrderBook,
    fetchBalance,
    fetchOrder,
    fetchOpenOrders,
  };
}

function createExchange(options: CcxtVenueOptions): Exchange {
  const { apiKey, secret, password } = options.credentials;
  const ExchangeClass = EXCHANGE_CLASSES[options.exchange];
  const exchange: Exchange = new ExchangeClass({
    apiKey,
    secret,
    ...(password === undefined ? {} : { password }),
    enableRateLimit: true,
    timeout: options.timeoutMs ?? 10_000,
    // Parsed prices and amounts come back as the venue's decimal strings instead of doubles.
    number: String,
    options: {
      // ccxt retries nothing by default; pinned, since a retried createOrder could place a second order.
      maxRetriesOnFailure: 0,
      // fetchOpenOrders() without a symbol is a reconciliation sweep here, not a mistake.
      ...(options.exchange === 'binance' ? { warnOnFetchOpenOrdersWithoutSymbol: false } : {}),
    },
  });
  if (options.exchange === 'binance') {
    // Spot only: the futures and options market lists are other endpoints and not ours to trade.
    const fetchMarkets = exchange.options.fetchMarkets;
    exchange.options.fetchMarkets = { ...(typeof fetchMarkets === 'object' ? fetchMarkets : {}), types: ['spot'] };
  }
  if (options.markets !== undefined) {
    exchange.precisionMode = CCXT_PRECISION_MODES[options.markets.precisionMode];
    exchange.setMarkets(options.markets.bySymbol);
  }
  if (options.fetchImpl !== undefined) exchange.fetch = options.fetchImpl;
  return exchange;
}

const BALANCE_SUMMARY_KEYS = new Set(['info', 'free', 'used', 'total', 'debt', 'timestamp', 'datetime']);

function readBalance(entry: Record<string, unknown>, field: string): VenueBalance {
  const free = readCcxtDecimal(entry.free, `${field} free`);
  const used = readCcxtDecimal(entry.used, `${field} used`);
  const total = readCcxtDecimal(entry.total, `${field} total`);
  // ccxt derives a missing one from the other two; when two are missing, the venue said nothing more.
  return {
    free: free ?? (total !== null && used !== null ? new ExactDecimal(total).minus(used).toFixed() : '0'),
    used: used ?? (total !== null && free !== null ? new ExactDecimal(total).minus(free).toFixed() : '0'),
    total: total ?? new ExactDecimal(free ?? '0').plus(used ?? '0').toFixed(),
  };
}

function readLevel(level: unknown[], field: string): PriceLevel {
  const price = readCcxtDecimal(level[0], `${field} price`);
  const quantity = readCcxtDecimal(level[1], `${field} quantity`);
  if (price === null || quantity === null) throw new TypeError(`${field} has an incomplete level`);
  return [price, quantity];
}

// ccxt types amounts as number; we hand it decimal strings (see placeOrder).
function asCcxtNumber(decimal: string): number {
  return decimal as unknown as number;
}

function asCcxtNumberOrUndefined(decimal: string | undefined): number | undefined {
  return decimal === undefined ? undefined : asCcxtNumber(decimal);
}

import type { OrderStatus } from '../orders/state-machine.ts';
import type { PrecisionMode } from '../precision.ts';

/*
 * The contract every venue implements (ccxt-backed venues, the paper venue). All prices, quantities,
 * amounts and fees are decimal strings in plain notation; all times are RFC 3339 UTC with microseconds.
 */

export type OrderSide = 'buy' | 'sell';
export type VenueOrderType = 'market' | 'limit';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK';

export interface VenueMarket {
  /** Unified symbol, BASE/QUOTE: "BTC/USDT". */
  readonly symbol: string;
  /** The venue's own id for the market: "BTCUSDT", "XBTUSDT", "BTC-USDT". */
  readonly venueSymbol: string;
  readonly base: string;
  readonly quote: string;
  readonly active: boolean;
  /** How to read `precision`; shaped so a VenueMarket can be passed straight to applyVenuePrecision. */
  readonly precisionMode: PrecisionMode;
  readonly precision: { readonly amount: string | null; readonly price: string | null };
  readonly limits: {
    readonly amount: { readonly min: string | null; readonly max: string | null };
    readonly price: { readonly min: string | null; readonly max: string | null };
    readonly cost: { readonly min: string | null; readonly max: string | null };
  };
}

export interface VenueOrderRequest {
  /** Ours, 1-36 characters of [A-Za-z0-9_-]; the key for finding the order again after a timeout. */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: VenueOrderType;
  readonly quantity: string;
  /** Required for limit orders. */
  readonly price?: string;
  readonly timeInForce?: TimeInForce;
  readonly postOnly?: boolean;
}

export interface VenueFee {
  readonly currency: string;
  readonly cost: string;
}

export interface VenueFill {
  readonly tradeId: string;
  readonly quantity: string;
  readonly price: string;
  readonly fee?: VenueFee;
  /** null when the venue did not say. */
  readonly timestamp: string | null;
}

export interface VenueOrder {
  readonly venueOrderId: string;
  /** null when the venue does not echo one (orders placed outside Atrium). */
  readonly clientOrderId: string | null;
  readonly symbol: string;
  readonly side: OrderSide;
  /** The base type; stop and take-profit variants report the type they turn into when triggered. */
  readonly type: VenueOrderType;
  /** Our status names (orders/state-machine.ts), mapped from the venue's. */
  readonly status: OrderStatus;
  readonly quantity: string;
  /** The limit price; null for market orders. */
  readonly price: string | null;
  readonly cumQuantity: string;
  readonly avgPrice: string | null;
  readonly fee?: VenueFee;
  readonly fills?: readonly VenueFill[];
  /** When the venue created the order; null when its reply does not say (kraken's order acknowledgement). */
  readonly timestamp: string | null;
}

export type PriceLevel = [price: string, quantity: string];

export interface VenueOrderBook {
  /** Best first: bids descending, asks ascending. */
  readonly bids: PriceLevel[];
  readonly asks: PriceLevel[];
  /** The venue's time for the snapshot, or our receipt time when the venue sends none. */
  readonly timestamp: string;
}

export interface VenueBalance {
  readonly free: string;
  readonly used: string;
  readonly total: string;
}

export interface VenueAdapter {
  readonly id: string;
  loadMarkets(): Promise<VenueMarket[]>;
  /**
   * Sends the order once. Throws VenueTimeoutError when the outcome is unknown (the caller moves the
   * order to 'unknown' and resolves it with fetchOrderByClientId, never by sending again) and
   * VenueRejectedError when the venue definitely refused it.
   */
  placeOrder(req: VenueOrderRequest): Promise<VenueOrder>;
  cancelOrder(venueOrderId: string, symbol: string): Promise<VenueOrder>;
  /**
   * null when the venue has no order with that client order id. Right after a timed-out placement a
   * venue may not show the order yet; resolve a placement as rejected only after a later lookup agrees.
   */
  fetchOrderByClientId(clientOrderId: string, symbol: string): Promise<VenueOrder | null>;
  fetchOrderBook(symbol: string, depth: number): Promise<VenueOrderBook>;
  /** By currency code. */
  fetchBalance(): Promise<Record<string, VenueBalance>>;
}

export type VenueOperation =
  | 'loadMarkets'
  | 'placeOrder'
  | 'cancelOrder'
  | 'fetchOrderByClientId'
  | 'fetchOrder'
  | 'fetchOpenOrders'
  | 'fetchOrderBook'
  | 'fetchBalance';

/**
 * The venue call timed out or the connection failed mid-request: it may or may not have taken effect.
 * For placeOrder the order goes to 'unknown' and is looked up by clientOrderId; it is never resubmitted.
 */
export class VenueTimeoutError extends Error {
  readonly code = 'TRD_ERR_VENUE_TIMEOUT';
  readonly statusCode = 504;
  readonly venue: string;
  readonly operation: VenueOperation;
  readonly clientOrderId: string | null;

  constructor(venue: string, operation: VenueOperation, clientOrderId: string | null, options?: ErrorOptions) {
    super(`${venue} ${operation} timed out; its outcome is unknown`, options);
    this.name = 'VenueTimeoutError';
    this.venue = venue;
    this.operation = operation;
    this.clientOrderId = clientOrderId;
  }
}

/** The venue answered and refused the request (invalid order, insufficient funds, unknown order...). */
export class VenueRejectedError extends Error {
  readonly code = 'TRD_ERR_VENUE_REJECTED';
  readonly statusCode = 422;
  readonly venue: string;
  readonly operation: VenueOperation;
  /** The venue's reason, as the venue worded it. */
  readonly reason: string;

  constructor(venue: string, operation: VenueOperation, reason: string, options?: ErrorOptions) {
    super(`${venue} refused ${operation}: ${reason}`, options);
    this.name = 'VenueRejectedError';
    this.venue = venue;
    this.operation = operation;
    this.reason = reason;
  }
}

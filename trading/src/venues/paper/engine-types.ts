// The matching engine's vocabulary. Prices are integer ticks and quantities integer lots, both
// bigint: a Scale converts them from and to the API's decimal strings at the boundary.

export type Side = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'GTD';

export interface EngineOrder {
  id: string;
  ownerId: string;
  side: Side;
  type: OrderType;
  /** Limit price in ticks; required for a limit order, absent for a market order. */
  price?: bigint;
  /** Lots, > 0. */
  quantity: bigint;
  timeInForce: TimeInForce;
  /** Limit GTC/GTD only: rejected rather than allowed to take liquidity. */
  postOnly?: boolean;
  /** Epoch ms; required for GTD and only allowed there. The order expires when expiresAt ≤ now. */
  expiresAt?: number;
}

/**
 * An order resting in the book. The book owns these objects and updates them in place while the
 * order rests: read them, never mutate them.
 */
export interface RestingOrder extends EngineOrder {
  readonly type: 'limit';
  readonly price: bigint;
  /** Total quantity of the order: filled + remaining. */
  readonly quantity: bigint;
  /** Lots still resting. */
  readonly remaining: bigint;
  /** Lots filled since the order was submitted, across amends. */
  readonly filled: bigint;
  /** Time priority within a price level: lower goes first. Renewed when an amend loses priority. */
  readonly priority: number;
}

/** An order as a record says it rests, for OrderBook.restore. */
export interface RestoredOrder {
  id: string;
  ownerId: string;
  side: Side;
  /** Ticks. */
  price: bigint;
  /** Lots still resting, > 0. */
  remaining: bigint;
  /** Lots filled so far. */
  filled: bigint;
  timeInForce: 'GTC' | 'GTD';
  postOnly: boolean;
  expiresAt?: number;
}

export interface EngineFill {
  makerOrderId: string;
  takerOrderId: string;
  makerOwnerId: string;
  takerOwnerId: string;
  /** The maker's price, in ticks. */
  price: bigint;
  quantity: bigint;
  takerSide: Side;
  /** What the maker has left after this fill; 0n means it left the book. */
  makerRemaining: bigint;
  /** Per book, increasing from 1 in the order fills happened. */
  sequence: number;
}

export type OrderStatus = 'new' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected';

export type RejectReason =
  | 'post-only-would-take'
  | 'fok-not-fillable'
  | 'no-liquidity'
  | 'duplicate-id'
  | 'invalid'
  /** A GTD order whose expiresAt ≤ now, or an amend of an order that expired at `now`. */
  | 'expired';

export interface SubmitResult {
  /**
   * After the call: 'new' / 'partially-filled' when it rests (partially when it has ever filled),
   * 'filled' when nothing is left, 'cancelled' when IOC/FOK/market left a remainder (the fills
   * may still be non-empty), 'rejected' when nothing changed for this order.
   */
  status: OrderStatus;
  fills: EngineFill[];
  /** Lots resting after the call, or the remainder that was cancelled; the order's quantity when rejected. */
  remaining: bigint;
  rejectReason?: RejectReason;
  /** Resting orders of the taker's own owner, cancelled by self-trade prevention (cancel-maker). */
  selfTradeCancelled: readonly RestingOrder[];
  /** GTD orders found expired at `now` and removed before this call did anything else. */
  expired: readonly RestingOrder[];
}

/** Amend changes. `quantity` is the new REMAINING quantity, not the new total. */
export interface AmendChanges {
  price?: bigint;
  quantity?: bigint;
}

export type BookLevel = [price: bigint, quantity: bigint];

export interface BookSnapshot {
  /** Best (highest) first. */
  bids: BookLevel[];
  /** Best (lowest) first. */
  asks: BookLevel[];
}

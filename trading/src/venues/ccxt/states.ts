import { Decimal } from 'decimal.js';
import type { OrderStatus } from '../../orders/state-machine.ts';
import type { CcxtExchangeId } from './constants.ts';

/*
 * Venue order states -> ours. ccxt folds every venue into five unified statuses and loses what we need
 * (coinbase EXPIRED and FAILED both become 'canceled'; binance PENDING_CANCEL and kraken 'pending'
 * become 'open'), so the venue's own status, from the raw reply ccxt keeps in `info.status`, is read
 * first and ccxt's unified status is the fallback.
 *
 * Two outcomes depend on how much is filled:
 * - 'working': a live order: 'new' with nothing filled, 'partially-filled' otherwise ('filled' if the
 *   venue reports it all filled but has not yet moved it on);
 * - 'done': finished without saying why (ccxt 'closed', kraken 'closed'): 'filled' when all of it filled,
 *   otherwise 'cancelled', since a finished order with quantity left will not fill it.
 */
export type VenueState = OrderStatus | 'working' | 'done';

export const VENUE_ORDER_STATES: Readonly<Record<CcxtExchangeId, Readonly<Record<string, VenueState>>>> = {
  binance: {
    PENDING_NEW: 'pending-new',
    NEW: 'working',
    PARTIALLY_FILLED: 'working',
    FILLED: 'filled',
    PENDING_CANCEL: 'pending-cancel',
    CANCELED: 'cancelled',
    REJECTED: 'rejected',
    EXPIRED: 'expired',
    // Expired by self-trade prevention.
    EXPIRED_IN_MATCH: 'expired',
  },
  coinbase: {
    PENDING: 'pending-new',
    QUEUED: 'pending-new',
    OPEN: 'working',
    CANCEL_QUEUED: 'pending-cancel',
    FILLED: 'filled',
    CANCELLED: 'cancelled',
    EXPIRED: 'expired',
    FAILED: 'rejected',
    UNKNOWN_ORDER_STATUS: 'unknown',
  },
  kraken: {
    pending: 'pending-new',
    open: 'working',
    closed: 'done',
    canceled: 'cancelled',
    expired: 'expired',
  },
};

/** ccxt's unified statuses ('canceling' is binance-only and, per ccxt, currently unused). */
export const CCXT_ORDER_STATES: Readonly<Record<string, VenueState>> = {
  open: 'working',
  closed: 'done',
  canceled: 'cancelled',
  canceling: 'pending-cancel',
  expired: 'expired',
  rejected: 'rejected',
};

export interface OrderStatusFacts {
  readonly exchange: CcxtExchangeId;
  /** The venue's own status string (`order.info.status`), if the reply has one. */
  readonly venueStatus: string | null;
  /** ccxt's unified status, if it set one. */
  readonly ccxtStatus: string | null;
  readonly quantity: string;
  readonly cumQuantity: string;
  /** What an acknowledgement without any status means for this call (placement: 'new'). */
  readonly fallback: OrderStatus;
}

export function mapOrderStatus(facts: OrderStatusFacts): OrderStatus {
  const state =
    lookUp(VENUE_ORDER_STATES[facts.exchange], facts.venueStatus) ?? lookUp(CCXT_ORDER_STATES, facts.ccxtStatus) ?? facts.fallback;
  const cum = new Decimal(facts.cumQuantity);
  const all = cum.gte(facts.quantity);
  switch (state) {
    case 'working':
      return all ? 'filled' : cum.isZero() ? 'new' : 'partially-filled';
    case 'done':
      return all ? 'filled' : 'cancelled';
    default:
      return state;
  }
}

function lookUp(table: Readonly<Record<string, VenueState>>, status: string | null): VenueState | undefined {
  // Own keys only: a venue status such as "constructor" must not find Object.prototype.
  return status !== null && Object.hasOwn(table, status) ? table[status] : undefined;
}

import createError from '@fastify/error';
import { Decimal } from 'decimal.js';

/**
 * The order life cycle, modelled on FIX OrdStatus (tag 39).
 *
 * Live statuses: 'pending-new', 'new', 'partially-filled', 'pending-cancel', 'pending-replace', 'unknown'.
 * Terminal statuses: 'filled', 'cancelled', 'rejected', 'expired'. No event leaves a terminal status.
 * 'unknown' means a venue call that changes the order (place, cancel, replace) timed out: we cannot know
 * whether the venue acted on it, so the only way out is a 'resolved' event built from looking the order up
 * by its client order id. Never resubmit an order that is 'unknown'.
 *
 * Invariants every state returned by `applyOrderEvent` satisfies:
 * - 0 <= cumQuantity <= quantity, and cumQuantity never decreases from one state to the next;
 * - live statuses: cumQuantity + leavesQuantity = quantity;
 * - terminal statuses: leavesQuantity = 0 and quantity keeps the last accepted order quantity, so
 *   quantity - cumQuantity is what the venue never filled; 'filled' has cumQuantity = quantity and
 *   'rejected' has cumQuantity = 0;
 * - 'new' and 'pending-new' have cumQuantity = 0; 'partially-filled' has 0 < cumQuantity < quantity;
 * - cumNotional is exactly the sum of fill quantity x fill price; avgPrice = cumNotional / cumQuantity
 *   (null while nothing is filled), exact whenever that quotient terminates within AVG_PRICE_DIGITS
 *   significant digits and rounded half-even to that many digits otherwise.
 */
export type OrderStatus =
  | 'pending-new'
  | 'new'
  | 'partially-filled'
  | 'filled'
  | 'cancelled'
  | 'rejected'
  | 'expired'
  | 'pending-cancel'
  | 'pending-replace'
  | 'unknown';

export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = ['filled', 'cancelled', 'rejected', 'expired'];

export interface OrderState {
  readonly status: OrderStatus;
  /** Order quantity; a confirmed replace changes it. Decimal string. */
  readonly quantity: string;
  /** Limit price, null for market orders; a confirmed replace may change it. */
  readonly price: string | null;
  readonly cumQuantity: string;
  readonly leavesQuantity: string;
  /** Volume-weighted average fill price, null until something is filled. */
  readonly avgPrice: string | null;
  /** Exact sum of fill quantity x fill price, kept so avgPrice stays exact across fills. */
  readonly cumNotional: string;
  /** What a replace in flight asked for; kept through 'unknown' so the lookup can be interpreted. */
  readonly pendingReplace: { readonly quantity: string | null; readonly price: string | null } | null;
}

/** Statuses a venue lookup can report for an order that was 'unknown'. */
export type ResolvedOrderStatus = Exclude<OrderStatus, 'unknown' | 'pending-replace'>;

export type OrderEvent =
  | { readonly type: 'accepted' }
  | { readonly type: 'rejected'; readonly reason?: string }
  | { readonly type: 'fill'; readonly quantity: string; readonly price: string }
  | { readonly type: 'cancel-requested' }
  | { readonly type: 'cancel-rejected' }
  | { readonly type: 'cancelled' }
  | { readonly type: 'replace-requested'; readonly quantity?: string; readonly price?: string }
  | { readonly type: 'replaced'; readonly quantity?: string; readonly price?: string }
  | { readonly type: 'replace-rejected' }
  | { readonly type: 'expired' }
  | { readonly type: 'timed-out' }
  | {
      readonly type: 'resolved';
      /** The venue's status, already mapped to ours (see venues/ccxt/states.ts). */
      readonly status: ResolvedOrderStatus;
      readonly cumQuantity: string;
      /** The venue's average fill price; required when the lookup shows more filled than we knew. */
      readonly avgPrice?: string | null;
      /** The venue's order quantity, which tells whether a replace that timed out took effect. */
      readonly quantity?: string;
      readonly price?: string | null;
    };

export type OrderEventType = OrderEvent['type'];

export const InvalidTransitionError = createError<'TRD_ERR_INVALID_TRANSITION', 422, [OrderEventType, OrderStatus, string]>(
  'TRD_ERR_INVALID_TRANSITION',
  "Cannot apply '%s' to an order that is %s: %s",
  422,
);

export const InvalidOrderEventError = createError<'TRD_ERR_INVALID_ORDER_EVENT', 422, [OrderEventType, string]>(
  'TRD_ERR_INVALID_ORDER_EVENT',
  "Malformed '%s' event: %s",
  422,
);

/** Significant digits of avgPrice when cumNotional / cumQuantity does not terminate. */
export const AVG_PRICE_DIGITS = 40;

// Products of two decimals of up to 40 significant digits stay exact at 80; plain notation always.
const Dec = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -9e15, toExpPos: 9e15 });
type Dec = Decimal;

const PLAIN_DECIMAL = /^\d+(\.\d+)?$/;

/** Which statuses each event may be applied in. Everything else is an illegal transition. */
const ALLOWED_FROM: Readonly<Record<OrderEventType, readonly OrderStatus[]>> = {
  accepted: ['pending-new'],
  rejected: ['pending-new'],
  // A fill before the acknowledgement implies it; fills keep arriving while a cancel or replace is in flight.
  fill: ['pending-new', 'new', 'partially-filled', 'pending-cancel', 'pending-replace'],
  'cancel-requested': ['new', 'partially-filled'],
  'cancel-rejected': ['pending-cancel'],
  // Venues cancel unsolicited (self-trade prevention, risk, maintenance), so not only after a request.
  cancelled: ['pending-new', 'new', 'partially-filled', 'pending-cancel', 'pending-replace'],
  'replace-requested': ['new', 'partially-filled'],
  replaced: ['pending-replace'],
  'replace-rejected': ['pending-replace'],
  expired: ['pending-new', 'new', 'partially-filled', 'pending-cancel', 'pending-replace'],
  // Only calls that change the order can leave us not knowing its state.
  'timed-out': ['pending-new', 'pending-cancel', 'pending-replace'],
  resolved: ['unknown'],
};

export function isTerminalStatus(status: OrderStatus): boolean {
  return TERMINAL_ORDER_STATUSES.includes(status);
}

/** A new order as we are about to send it: 'pending-new', nothing filled. */
export function createOrderState(order: { quantity: string; price?: string | null }): OrderState {
  const quantity = parseDecimal(order.quantity, 'accepted', 'quantity');
  if (quantity.isZero()) throw new InvalidOrderEventError('accepted', 'quantity must be greater than zero');
  const price = order.price == null ? null : plain(parseDecimal(order.price, 'accepted', 'price'));
  return freeze({
    status: 'pending-new',
    quantity: plain(quantity),
    price,
    cumQuantity: '0',
    leavesQuantity: plain(quantity),
    avgPrice: null,
    cumNotional: '0',
    pendingReplace: null,
  });
}

/**
 * Applies one event and returns the next state. Throws InvalidTransitionError (TRD_ERR_INVALID_TRANSITION)
 * when the event is not allowed in the current status or would break an invariant, and
 * InvalidOrderEventError (TRD_ERR_INVALID_ORDER_EVENT) when the event itself is malformed. States are
 * frozen and never mutated, so after a throw the state passed in is still the current one.
 */
export function applyOrderEvent(state: OrderState, event: OrderEvent): OrderState {
  const allowedFrom: readonly OrderStatus[] | undefined = ALLOWED_FROM[event.type];
  // Events also arrive from venue parsers and the FIX gateway, so the type is checked at runtime too.
  if (allowedFrom === undefined) throw new InvalidOrderEventError(event.type, 'unknown event type');
  if (!allowedFrom.includes(state.status)) {
    const why = isTerminalStatus(state.status) ? 'the order is final' : `'${event.type}' is not expected now`;
    throw new InvalidTransitionError(event.type, state.status, why);
  }
  switch (event.type) {
    case 'accepted':
      return freeze({ ...state, status: 'new' });
    case 'rejected':
      return freeze({ ...state, status: 'rejected', leavesQuantity: '0', pendingReplace: null });
    case 'fill':
      return applyFill(state, event);
    case 'cancel-requested':
      return freeze({ ...state, status: 'pending-cancel' });
    case 'cancel-rejected':
    case 'replace-rejected':
      return freeze({ ...state, status: workingStatus(state), pendingReplace: null });
    case 'cancelled':
      return freeze({ ...state, status: 'cancelled', leavesQuantity: '0', pendingReplace: null });
    case 'expired':
      return freeze({ ...state, status: 'expired', leavesQuantity: '0', pendingReplace: null });
    case 'replace-requested':
      return requestReplace(state, event);
    case 'replaced':
      return applyReplace(state, event);
    case 'timed-out':
      return freeze({ ...state, status: 'unknown' });
    case 'resolved':
      return applyResolution(state, event);
  }
}

function applyFill(state: OrderState, event: { quantity: string; price: string }): OrderState {
  const quantity = parseDecimal(event.quantity, 'fill', 'quantity');
  const price = parseDecimal(event.price, 'fill', 'price');
  if (quantity.isZero()) throw new InvalidOrderEventError('fill', 'quantity must be greater than zero');
  if (price.isZero()) throw new InvalidOrderEventError('fill', 'price must be greater than zero');
  const leaves = new Dec(state.leavesQuantity);
  if (quantity.gt(leaves)) {
    throw new InvalidTransitionError('fill', state.status, `fill of ${plain(quantity)} exceeds leaves of ${state.leavesQuantity}`);
  }
  const cum = new Dec(state.cumQuantity).plus(quantity);
  const notional = new Dec(state.cumNotional).plus(quantity.times(price));
  const orderQuantity = new Dec(state.quantity);
  let status: OrderStatus;
  if (cum.eq(orderQuantity)) status = 'filled';
  else if (state.status === 'pending-cancel' || state.status === 'pending-replace') status = state.status;
  else status = 'partially-filled';
  return freeze({
    ...state,
    status,
    cumQuantity: plain(cum),
    leavesQuantity: plain(orderQuantity.minus(cum)),
    cumNotional: plain(notional),
    avgPrice: averagePrice(notional, cum),
    pendingReplace: status === 'filled' ? null : state.pendingReplace,
  });
}

function requestReplace(state: OrderState, event: { quantity?: string; price?: string }): OrderState {
  if (event.quantity === undefined && event.price === undefined) {
    throw new InvalidOrderEventError('replace-requested', 'a replace must change the quantity or the price');
  }
  const quantity = event.quantity === undefined ? null : checkReplaceQuantity(state, 'replace-requested', event.quantity);
  const price = event.price === undefined ? null : plain(parseDecimal(event.price, 'replace-requested', 'price'));
  return freeze({ ...state, status: 'pending-replace', pendingReplace: { quantity, price } });
}

function applyReplace(state: OrderState, event: { quantity?: string; price?: string }): OrderState {
  // The venue's confirmation wins over what we asked for; absent fields mean "as requested".
  const requested = event.quantity ?? state.pendingReplace?.quantity ?? null;
  const quantity = requested === null ? state.quantity : checkReplaceQuantity(state, 'replaced', requested);
  const priceText = event.price ?? state.pendingReplace?.price ?? null;
  const price = priceText === null ? state.price : plain(parseDecimal(priceText, 'replaced', 'price'));
  const cum = new Dec(state.cumQuantity);
  const orderQuantity = new Dec(quantity);
  const status: OrderStatus = cum.eq(orderQuantity) ? 'filled' : cum.isZero() ? 'new' : 'partially-filled';
  return freeze({ ...state, status, quantity, price, leavesQuantity: plain(orderQuantity.minus(cum)), pendingReplace: null });
}

function checkReplaceQuantity(state: OrderState, type: 'replace-requested' | 'replaced', text: string): string {
  const quantity = parseDecimal(text, type, 'quantity');
  if (quantity.isZero()) throw new InvalidOrderEventError(type, 'quantity must be greater than zero');
  if (quantity.lt(state.cumQuantity)) {
    throw new InvalidTransitionError(type, state.status, `quantity ${plain(quantity)} is below the ${state.cumQuantity} already filled`);
  }
  return plain(quantity);
}

function applyResolution(state: OrderState, event: Extract<OrderEvent, { type: 'resolved' }>): OrderState {
  const cum = parseDecimal(event.cumQuantity, 'resolved', 'cumQuantity');
  const known = new Dec(state.cumQuantity);
  if (cum.lt(known)) {
    throw new InvalidTransitionError(
      'resolved',
      state.status,
      `venue reports ${plain(cum)} filled, below the ${state.cumQuantity} we know of`,
    );
  }
  const quantityText = event.quantity === undefined ? state.quantity : plain(parseDecimal(event.quantity, 'resolved', 'quantity'));
  const quantity = new Dec(quantityText);
  if (quantity.isZero()) throw new InvalidOrderEventError('resolved', 'quantity must be greater than zero');
  if (cum.gt(quantity)) {
    throw new InvalidTransitionError('resolved', state.status, `venue reports ${plain(cum)} filled on an order of ${quantityText}`);
  }
  const price =
    event.price === undefined ? state.price : event.price === null ? null : plain(parseDecimal(event.price, 'resolved', 'price'));

  let cumNotional = state.cumNotional;
  let avgPrice = state.avgPrice;
  if (cum.gt(known)) {
    // Fills we never saw: only the venue's average can account for them.
    if (event.avgPrice == null) {
      throw new InvalidOrderEventError('resolved', 'avgPrice is required when the venue reports fills we have not seen');
    }
    const venueAverage = parseDecimal(event.avgPrice, 'resolved', 'avgPrice');
    cumNotional = plain(venueAverage.times(cum));
    avgPrice = averagePrice(new Dec(cumNotional), cum);
  }

  const full = cum.eq(quantity);
  let status: OrderStatus;
  switch (event.status) {
    case 'filled':
      if (!full)
        throw new InvalidTransitionError('resolved', state.status, `venue says filled but reports ${plain(cum)} of ${quantityText}`);
      status = 'filled';
      break;
    case 'rejected':
    case 'pending-new':
      if (!cum.isZero()) {
        throw new InvalidTransitionError('resolved', state.status, `venue says ${event.status} but reports ${plain(cum)} filled`);
      }
      status = event.status;
      break;
    case 'cancelled':
    case 'expired':
      status = event.status;
      break;
    case 'new':
    case 'partially-filled':
      // Venues disagree on whether a partly filled live order is "open" or "partially filled"; cum decides.
      status = full ? 'filled' : cum.isZero() ? 'new' : 'partially-filled';
      break;
    case 'pending-cancel':
      status = full ? 'filled' : 'pending-cancel';
      break;
  }
  const leavesQuantity = isTerminalStatus(status) ? '0' : plain(quantity.minus(cum));
  return freeze({
    ...state,
    status,
    quantity: quantityText,
    price,
    cumQuantity: plain(cum),
    leavesQuantity,
    cumNotional,
    avgPrice,
    pendingReplace: null,
  });
}

/** The status of a live order with no request in flight, from what is filled. */
function workingStatus(state: OrderState): OrderStatus {
  return new Dec(state.cumQuantity).isZero() ? 'new' : 'partially-filled';
}

function averagePrice(notional: Dec, cum: Dec): string | null {
  if (cum.isZero()) return null;
  return plain(notional.div(cum).toSignificantDigits(AVG_PRICE_DIGITS, Decimal.ROUND_HALF_EVEN));
}

function parseDecimal(text: string, type: OrderEventType, field: string): Dec {
  if (typeof text !== 'string' || !PLAIN_DECIMAL.test(text)) {
    throw new InvalidOrderEventError(type, `${field} must be a non-negative decimal string in plain notation`);
  }
  return new Dec(text);
}

function plain(value: Dec): string {
  return value.toFixed();
}

function freeze(state: OrderState): OrderState {
  if (state.pendingReplace) Object.freeze(state.pendingReplace);
  return Object.freeze(state);
}

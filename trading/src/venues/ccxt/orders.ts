import type { Order, Trade } from 'ccxt';
import { Decimal } from 'decimal.js';
import type { OrderStatus } from '../../orders/state-machine.ts';
import type { OrderSide, VenueFee, VenueFill, VenueOrder, VenueOrderRequest, VenueOrderType } from '../types.ts';
import type { CcxtExchangeId } from './constants.ts';
import { readCcxtDecimal, readCcxtTimestamp } from './fields.ts';
import { mapOrderStatus } from './states.ts';

export interface OrderReplyContext {
  readonly exchange: CcxtExchangeId;
  /** Our status for a reply that carries none (a placement acknowledgement: 'new'). */
  readonly fallbackStatus: OrderStatus;
  /** The request this reply answers, for the fields a bare acknowledgement leaves out. */
  readonly request?: VenueOrderRequest;
}

/** A ccxt unified order as a VenueOrder: decimal strings, our status names, RFC 3339 times. */
export function toVenueOrder(order: Order, context: OrderReplyContext): VenueOrder {
  const info: Record<string, unknown> = isRecord(order.info) ? order.info : {};
  const request = context.request;
  const venueOrderId = order.id;
  if (typeof venueOrderId !== 'string' || venueOrderId === '') throw new TypeError(`${context.exchange} order reply has no order id`);
  const field = (name: string) => `${context.exchange} order ${venueOrderId} ${name}`;

  const symbol = order.symbol ?? request?.symbol;
  if (symbol === undefined) throw new TypeError(`${field('symbol')} is missing`);
  const side = readSide(order.side) ?? request?.side;
  if (side === undefined) throw new TypeError(`${field('side')} is missing`);
  const type = readType(order.type) ?? request?.type ?? 'market';
  const quantity = readCcxtDecimal(order.amount, field('amount')) ?? request?.quantity;
  if (quantity === undefined) throw new TypeError(`${field('amount')} is missing`);
  const cumQuantity = readCcxtDecimal(order.filled, field('filled')) ?? '0';
  const filledAnything = !new Decimal(cumQuantity).isZero();

  const status = mapOrderStatus({
    exchange: context.exchange,
    venueStatus: typeof info.status === 'string' ? info.status : null,
    ccxtStatus: typeof order.status === 'string' ? order.status : null,
    quantity,
    cumQuantity,
    fallback: context.fallbackStatus,
  });

  // ccxt sets `fees` on every order but leaves it out of its Order type.
  const fees: unknown = (order as { fees?: unknown }).fees;
  const fee = readFee(order.fee, field('fee')) ?? (Array.isArray(fees) && fees.length === 1 ? readFee(fees[0], field('fees')) : undefined);
  const fills = (order.trades ?? []).map((trade) => readFill(trade, field('trade'))).filter((fill) => fill !== undefined);

  return {
    venueOrderId,
    clientOrderId: readClientOrderId(order, info, context.exchange) ?? request?.clientOrderId ?? null,
    symbol,
    side,
    type,
    status,
    quantity,
    // ccxt fills a market order's price with its average; for us price is the limit price only.
    price: type === 'limit' ? (readCcxtDecimal(order.price, field('price')) ?? request?.price ?? null) : null,
    cumQuantity,
    avgPrice: filledAnything ? readCcxtDecimal(order.average, field('average')) : null,
    ...(fee === undefined ? {} : { fee }),
    ...(fills.length === 0 ? {} : { fills }),
    timestamp: readCcxtTimestamp(order.timestamp),
  };
}

function readClientOrderId(order: Order, info: Record<string, unknown>, exchange: CcxtExchangeId): string | null {
  // ccxt falls back to kraken's userref, an integer tag that is "0" when unset; only cl_ord_id is ours.
  const id = exchange === 'kraken' ? info.cl_ord_id : order.clientOrderId;
  return typeof id === 'string' && id !== '' ? id : null;
}

function readSide(side: unknown): OrderSide | undefined {
  return side === 'buy' || side === 'sell' ? side : undefined;
}

function readType(type: unknown): VenueOrderType | undefined {
  if (typeof type !== 'string') return undefined;
  // Stop-limit, take-profit-limit and the like rest as limit orders once triggered.
  return type.includes('limit') ? 'limit' : 'market';
}

function readFee(fee: unknown, field: string): VenueFee | undefined {
  if (!isRecord(fee) || typeof fee.currency !== 'string') return undefined;
  const cost = readCcxtDecimal(fee.cost, field);
  return cost === null ? undefined : { currency: fee.currency, cost };
}

function readFill(trade: Trade, field: string): VenueFill | undefined {
  // Some replies list trade ids only (kraken's closed orders); those are not fills we can use.
  const quantity = readCcxtDecimal(trade.amount, `${field} amount`);
  const price = readCcxtDecimal(trade.price, `${field} price`);
  if (typeof trade.id !== 'string' || quantity === null || price === null) return undefined;
  const fee = readFee(trade.fee, `${field} fee`);
  return { tradeId: trade.id, quantity, price, ...(fee === undefined ? {} : { fee }), timestamp: readCcxtTimestamp(trade.timestamp) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

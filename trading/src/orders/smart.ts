import { type AuditContext, appendAuditEvent } from '@atrium/compliance';
import { type Database, newId } from '@atrium/db';
import createError from '@fastify/error';
import { getInstrument, venueSymbol } from '../instruments/catalogue.ts';
import { type RoutePlan, routeOrder, type VenueBook } from '../router/index.ts';
import { listVenueKeys } from '../vault/venue-keys.ts';
import {
  clientOrderIdConflict,
  getOrder,
  InvalidOrderError,
  insertPendingOrder,
  type Order,
  type OrderServices,
  type PlaceOrderInput,
  placeOrder,
  type RemoteVenueId,
} from './orders.ts';
import { applyOrderEvent, createOrderState, type OrderState } from './state-machine.ts';

export const NothingToRouteError = createError('TRD_ERR_NO_ROUTE', 'No venue can fill any of this order within its limit', 422);

export interface SmartOrderResult {
  parent: Order;
  /** The plan the children were placed from, with what each child did. */
  route: RoutePlan & {
    childOrders: { orderId: string; venue: string; status: string; cumQuantity: string }[];
    failedChildren: { venue: string; code: string }[];
  };
}

// The paper venue's taker fee; a live venue's comes from its market data when it quotes one.
const PAPER_TAKER_FEE_BPS = '5';
const LIVE_TAKER_FEE_BPS = '10';

/**
 * venue "smart": a consolidated, fee-adjusted book over the venues this
 * account can trade on (paper, and every live venue it has keys for that lists
 * the instrument), split into IOC limit children at the best effective prices
 * — each placed through the one order path, so each passes risk and is audited.
 * The parent records what its children did.
 */
export async function placeSmartOrder(
  db: Database,
  tenantId: string,
  input: Omit<PlaceOrderInput, 'venue'> & { venue: 'smart' },
  context: AuditContext,
  services: OrderServices,
): Promise<SmartOrderResult> {
  const instrument = getInstrument(input.instrument);
  // A smart order is an immediate sweep across venues: the options that would make it rest or wait do not apply.
  if (input.type !== 'limit' && input.type !== 'market') throw new InvalidOrderError('smart orders are limit or market');
  if (input.timeInForce !== 'IOC') throw new InvalidOrderError('smart orders are IOC: each child takes what the plan found');
  if (input.stopPrice !== undefined || input.reduceOnly || input.postOnly || input.expiresAt !== undefined) {
    throw new InvalidOrderError('smart orders take no stopPrice, reduceOnly, postOnly or expiresAt');
  }
  if (input.type === 'limit' && input.price === undefined) throw new InvalidOrderError('a limit order needs a price');
  const now = services.now?.() ?? Date.now();
  const books: VenueBook[] = [];
  const paper = services.paper.snapshot(tenantId, instrument.id, 50, now);
  books.push({
    venue: 'paper',
    bids: paper.bids,
    asks: paper.asks,
    takerFeeBps: PAPER_TAKER_FEE_BPS,
    quantityIncrement: instrument.lotSize,
  });
  const keyed = await db.withTenant(tenantId, (tx) => listVenueKeys(tx, input.accountId));
  for (const { venue } of keyed) {
    if (!instrument.venues[venue] || !services.venueFor) continue;
    try {
      const adapter = await services.venueFor(tenantId, input.accountId, venue);
      const book = await adapter.fetchOrderBook(venueSymbol(instrument, venue), 50);
      books.push({ venue, bids: book.bids, asks: book.asks, takerFeeBps: LIVE_TAKER_FEE_BPS });
    } catch {
      // A venue that does not answer is left out of this route, not allowed to fail it.
    }
  }

  const plan = routeOrder(
    { side: input.side, quantity: input.quantity, ...(input.price !== undefined ? { limitPrice: input.price } : {}) },
    books,
  );
  if (plan.children.length === 0) throw new NothingToRouteError();

  // The parent is recorded before any child trades: a reused clientOrderId stops here, and whatever the
  // children then do, the parent is finished from it.
  const parentId = newId();
  let state: OrderState = createOrderState({ quantity: input.quantity, price: input.price ?? null });
  await db.withTenant(tenantId, async (tx) => {
    const clientOrderId = input.clientOrderId ?? parentId.replaceAll('-', '').slice(0, 32);
    await insertPendingOrder(
      tx,
      { id: parentId, clientOrderId, instrument: instrument.id, quantity: input.quantity, price: input.price ?? null, stopPrice: null },
      { ...input, timeInForce: 'IOC' },
    ).catch((error) => {
      throw clientOrderIdConflict(error, clientOrderId);
    });
    await tx`insert into order_events (tenant_id, order_id, seq, status, event) values (${tenantId}, ${parentId}, 1, 'pending-new', ${tx.json({ type: 'submitted', plan } as never)})`;
    await appendAuditEvent(tx, { ...context, action: 'order.routed', objectType: 'order', objectId: parentId, after: { parentId, plan } });
  });

  const childOrders: SmartOrderResult['route']['childOrders'] = [];
  const failedChildren: SmartOrderResult['route']['failedChildren'] = [];
  state = applyOrderEvent(state, { type: 'accepted' });
  const events: { event: { type: string }; status: string }[] = [{ event: { type: 'accepted' }, status: state.status }];
  for (const child of plan.children) {
    try {
      const order = await placeOrder(
        db,
        tenantId,
        {
          accountId: input.accountId,
          instrument: instrument.id,
          venue: child.venue as 'paper' | RemoteVenueId,
          side: input.side,
          type: 'limit',
          timeInForce: 'IOC',
          quantity: child.quantity,
          price: child.limitPrice,
          parentId,
        },
        context,
        services,
      );
      childOrders.push({ orderId: order.id, venue: child.venue, status: order.status, cumQuantity: order.cumQuantity });
      if (order.cumQuantity !== '0' && order.avgPrice) {
        const fill = { type: 'fill' as const, quantity: order.cumQuantity, price: order.avgPrice };
        state = applyOrderEvent(state, fill);
        events.push({ event: fill, status: state.status });
      }
    } catch (error) {
      // One child refused (risk, venue): the others stand, and the parent says so.
      failedChildren.push({ venue: child.venue, code: (error as { code?: string }).code ?? 'TRD_ERR_CHILD_FAILED' });
    }
  }
  if (state.status !== 'filled') {
    state = applyOrderEvent(state, { type: 'cancelled' });
    events.push({ event: { type: 'cancelled' }, status: state.status });
  }

  const parent = await db.withTenant(tenantId, async (tx) => {
    await tx`
      update orders set status = ${state.status}, cum_quantity = ${state.cumQuantity}, leaves_quantity = ${state.leavesQuantity},
             avg_price = ${state.avgPrice}, cum_notional = ${state.cumNotional}, updated_at = clock_timestamp()
       where tenant_id = ${tenantId} and id = ${parentId}`;
    let seq = 1;
    for (const { event, status } of events) {
      seq++;
      await tx`insert into order_events (tenant_id, order_id, seq, status, event) values (${tenantId}, ${parentId}, ${seq}, ${status}, ${tx.json(event as never)})`;
    }
    const order = await getOrder(tx, parentId);
    await appendAuditEvent(tx, {
      ...context,
      action: `order.${order.status}`,
      objectType: 'order',
      objectId: parentId,
      after: { order, childOrders, failedChildren },
    });
    return order;
  });
  return { parent, route: { ...plan, childOrders, failedChildren } };
}

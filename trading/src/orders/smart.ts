import { type AuditContext, appendAuditEvent } from '@atrium/compliance';
import { type Database, newId } from '@atrium/db';
import createError from '@fastify/error';
import { getInstrument, venueSymbol } from '../instruments/catalogue.ts';
import { type RoutePlan, routeOrder, type VenueBook } from '../router/index.ts';
import { listVenueKeys } from '../vault/venue-keys.ts';
import { getOrder, type Order, type OrderServices, type PlaceOrderInput, placeOrder, type RemoteVenueId } from './orders.ts';
import { applyOrderEvent, createOrderState, type OrderState } from './state-machine.ts';

export const NothingToRouteError = createError('TRD_ERR_NO_ROUTE', 'No venue can fill any of this order within its limit', 422);

export interface SmartOrderResult {
  parent: Order;
  /** The plan the children were placed from, with what each child did. */
  route: RoutePlan & { childOrders: { orderId: string; venue: string; status: string; cumQuantity: string }[] };
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

  const parentId = newId();
  const childOrders: SmartOrderResult['route']['childOrders'] = [];
  let state: OrderState = applyOrderEvent(createOrderState({ quantity: input.quantity, price: input.price ?? null }), { type: 'accepted' });
  const events: { event: { type: string }; status: string }[] = [
    { event: { type: 'submitted' }, status: 'pending-new' },
    { event: { type: 'accepted' }, status: 'new' },
  ];
  for (const child of plan.children) {
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
  }
  if (state.status !== 'filled') {
    state = applyOrderEvent(state, { type: 'cancelled' });
    events.push({ event: { type: 'cancelled' }, status: state.status });
  }

  const parent = await db.withTenant(tenantId, async (tx) => {
    await tx`
      insert into orders (tenant_id, id, account_id, client_order_id, instrument, venue, side, type, time_in_force, quantity, price,
                          status, cum_quantity, leaves_quantity, avg_price, cum_notional)
      values (${tenantId}, ${parentId}, ${input.accountId}, ${input.clientOrderId ?? parentId.replaceAll('-', '').slice(0, 32)}, ${instrument.id},
              'smart', ${input.side}, ${input.type}, 'IOC', ${state.quantity}, ${input.price ?? null}, ${state.status},
              ${state.cumQuantity}, ${state.leavesQuantity}, ${state.avgPrice}, ${state.cumNotional})`;
    let seq = 0;
    for (const { event, status } of events) {
      seq++;
      await tx`insert into order_events (tenant_id, order_id, seq, status, event) values (${tenantId}, ${parentId}, ${seq}, ${status}, ${tx.json(event as never)})`;
    }
    const order = await getOrder(tx, parentId);
    await appendAuditEvent(tx, { ...context, action: 'order.routed', objectType: 'order', objectId: parentId, after: { order, plan } });
    return order;
  });
  return { parent, route: { ...plan, childOrders } };
}

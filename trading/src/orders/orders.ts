import { type AuditContext, type AuditEventInput, appendAuditEvent, auditEventsInsert } from '@atrium/compliance';
import {
  type Database,
  decodeCursor,
  newId,
  oncePerTransaction,
  type Page,
  type PendingQuery,
  type TenantTx,
  toPage,
  toRfc3339Micros,
  utcNowMicros,
} from '@atrium/db';
import createError from '@fastify/error';
import { Decimal } from 'decimal.js';
import { AccountClosedError, AccountNotFoundError } from '../errors.ts';
import type { PaperFill, PaperOrder, PaperRecord, PaperReport, PaperVenue } from '../execution/paper-venue.ts';
import { getInstrument, type Instrument, venueSymbol } from '../instruments/catalogue.ts';
import { getPositions } from '../portfolio.ts';
import { applyVenuePrecision, type VenuePrecisionMarket } from '../precision.ts';
import { type VenueAdapter, type VenueOrder, VenueRejectedError, VenueTimeoutError } from '../venues/types.ts';
import { applyOrderEvent, isTerminalStatus, type OrderEvent, type OrderState } from './state-machine.ts';

export const OrderNotFoundError = createError('TRD_ERR_ORDER_NOT_FOUND', 'Order not found', 404);
export const OrderNotOpenError = createError('TRD_ERR_ORDER_NOT_OPEN', 'Order %s is %s and can no longer change', 422);
export const InvalidOrderError = createError('TRD_ERR_INVALID_ORDER', '%s', 422);
export const ClientOrderIdTakenError = createError('TRD_ERR_CLIENT_ORDER_ID_TAKEN', 'clientOrderId %s is already used', 409);

export type OrderStatus = OrderState['status'];

export interface PlaceOrderInput {
  accountId: string;
  instrument: string;
  venue: 'paper' | RemoteVenueId;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop-limit';
  timeInForce: 'GTC' | 'IOC' | 'FOK' | 'GTD';
  quantity: string;
  price?: string;
  stopPrice?: string;
  postOnly?: boolean;
  /** Only ever shrinks the account's position (paper venue; spot venues do not support it). */
  reduceOnly?: boolean;
  /** Set by the smart order router on the children it places. */
  parentId?: string;
  expiresAt?: string;
  clientOrderId?: string;
}

export const ReduceOnlyError = createError('TRD_ERR_REDUCE_ONLY', 'A reduce-only %s of %s would not reduce the position of %s', 422);
export const ReduceOnlyUnsupportedError = createError(
  'TRD_ERR_REDUCE_ONLY_UNSUPPORTED',
  'Venue %s does not support reduce-only orders',
  422,
);

export interface Execution {
  id: string;
  orderId: string;
  quantity: string;
  price: string;
  fee: string;
  feeCurrency: string;
  liquidity: 'maker' | 'taker';
  executedAt: string;
}

export interface Order {
  id: string;
  /** The smart-routed parent this order is a child of. */
  parentId: string | null;
  clientOrderId: string;
  accountId: string;
  instrument: string;
  venue: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop-limit';
  timeInForce: 'GTC' | 'IOC' | 'FOK' | 'GTD';
  postOnly: boolean;
  quantity: string;
  price: string | null;
  stopPrice: string | null;
  expiresAt: string | null;
  status: OrderStatus;
  cumQuantity: string;
  leavesQuantity: string;
  avgPrice: string | null;
  rejectReason: string | null;
  fills: Execution[];
  createdAt: string;
  updatedAt: string;
  /** When a stop-limit's stop was reached and it went to the book as a limit order; null while held, and for other types. */
  triggeredAt: string | null;
}

/** The pre-trade risk step every order passes; the risk engine provides it. It throws to refuse. */
export type PreTradeCheck = (tx: TenantTx, order: Readonly<PlaceOrderInput> & { notional: string | null }) => Promise<void>;

export interface OrderServices {
  paper: PaperVenue;
  preTrade: PreTradeCheck;
  /** A live venue for an account, with its tenant's keys; absent or throwing when none is configured. */
  venueFor?: (tenantId: string, accountId: string, venue: RemoteVenueId) => Promise<VenueAdapter>;
  now?: () => number;
}

export type RemoteVenueId = 'binance' | 'coinbase' | 'kraken';
export const VenueNotConfiguredError = createError('TRD_ERR_VENUE_NOT_CONFIGURED', 'No %s keys are configured for this account', 422);

const COLUMNS = `id, parent_id, client_order_id, account_id, instrument, venue, venue_order_id, side, type, time_in_force, post_only, quantity::text as quantity,
  price::text as price, stop_price::text as stop_price, expires_at, status, cum_quantity::text as cum_quantity,
  leaves_quantity::text as leaves_quantity, avg_price::text as avg_price, cum_notional::text as cum_notional, reject_reason, created_at, updated_at, triggered_at`;

interface OrderRow {
  id: string;
  parent_id: string | null;
  client_order_id: string;
  account_id: string;
  instrument: string;
  venue: string;
  venue_order_id: string | null;
  side: Order['side'];
  type: Order['type'];
  time_in_force: Order['timeInForce'];
  post_only: boolean;
  quantity: string;
  price: string | null;
  stop_price: string | null;
  expires_at: string | null;
  status: OrderStatus;
  cum_quantity: string;
  leaves_quantity: string;
  avg_price: string | null;
  cum_notional: string;
  reject_reason: string | null;
  created_at: string;
  updated_at: string;
  triggered_at: string | null;
}

const plain = (value: string | null) => (value === null ? null : new Decimal(value).toFixed());

function toOrder(row: OrderRow, fills: Execution[]): Order {
  return {
    id: row.id,
    parentId: row.parent_id,
    clientOrderId: row.client_order_id,
    accountId: row.account_id,
    instrument: row.instrument,
    venue: row.venue,
    side: row.side,
    type: row.type,
    timeInForce: row.time_in_force,
    postOnly: row.post_only,
    quantity: plain(row.quantity) as string,
    price: plain(row.price),
    stopPrice: plain(row.stop_price),
    expiresAt: row.expires_at,
    status: row.status,
    cumQuantity: plain(row.cum_quantity) as string,
    leavesQuantity: plain(row.leaves_quantity) as string,
    avgPrice: plain(row.avg_price),
    rejectReason: row.reject_reason,
    fills,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    triggeredAt: row.triggered_at,
  };
}

function stateOf(row: OrderRow): OrderState {
  return {
    status: row.status,
    quantity: plain(row.quantity) as string,
    price: plain(row.price),
    cumQuantity: plain(row.cum_quantity) as string,
    leavesQuantity: plain(row.leaves_quantity) as string,
    avgPrice: plain(row.avg_price),
    cumNotional: plain(row.cum_notional) as string,
    // A replace is requested and applied in one transaction, so none is ever pending at rest.
    pendingReplace: null,
  };
}

/** The paper venue as a ccxt-style market: tick-size precision from the catalogue, minimum notional as the cost limit. */
function paperMarket(instrument: Instrument): VenuePrecisionMarket {
  return {
    precisionMode: 'tick-size',
    precision: { amount: instrument.lotSize, price: instrument.tickSize },
    limits: { amount: { min: null, max: null }, price: { min: null, max: null }, cost: { min: instrument.minNotional, max: null } },
  };
}

async function loadExecutions(tx: TenantTx, orderIds: string[]): Promise<Map<string, Execution[]>> {
  const rows = orderIds.length
    ? await tx<(Execution & { order_id: string })[]>`
        select id, order_id, order_id as "orderId", quantity::text as quantity, price::text as price, fee::text as fee,
               fee_currency as "feeCurrency", liquidity, executed_at as "executedAt"
          from executions where tenant_id = ${tx.tenantId} and order_id = any(${orderIds}::uuid[]) order by id`
    : [];
  const byOrder = new Map<string, Execution[]>();
  for (const { order_id, ...row } of rows) byOrder.set(order_id, [...(byOrder.get(order_id) ?? []), plainFill(row)]);
  return byOrder;
}

export async function getOrder(tx: TenantTx, id: string): Promise<Order> {
  const [row] = await tx<OrderRow[]>`select ${tx.unsafe(COLUMNS)} from orders where tenant_id = ${tx.tenantId} and id = ${id}`;
  if (!row) throw new OrderNotFoundError();
  return toOrder(row, (await loadExecutions(tx, [id])).get(id) ?? []);
}

export interface OrderFilter {
  limit: number;
  cursor?: string | null;
  parentId?: string;
  accountId?: string;
  instrument?: string;
  status?: OrderStatus;
  open?: boolean;
}

const OPEN: OrderStatus[] = ['pending-new', 'new', 'partially-filled', 'pending-cancel', 'pending-replace', 'unknown'];

/** Newest first. */
export async function listOrders(tx: TenantTx, filter: OrderFilter): Promise<Page<Order>> {
  const before = filter.cursor ? decodeCursor(filter.cursor) : null;
  const rows = await tx<OrderRow[]>`
    select ${tx.unsafe(COLUMNS)} from orders
     where tenant_id = ${tx.tenantId}
       ${before ? tx`and id < ${before}` : tx``}
       ${filter.accountId ? tx`and account_id = ${filter.accountId}` : tx``}
       ${filter.parentId ? tx`and parent_id = ${filter.parentId}` : tx``}
       ${filter.instrument ? tx`and instrument = ${filter.instrument}` : tx``}
       ${filter.status ? tx`and status = ${filter.status}` : tx``}
       ${filter.open ? tx`and status = any(${OPEN}::text[])` : tx``}
     order by id desc limit ${filter.limit + 1}`;
  const fills = await loadExecutions(
    tx,
    rows.slice(0, filter.limit).map((r) => r.id),
  );
  return toPage(
    rows.map((row) => toOrder(row, fills.get(row.id) ?? [])),
    filter.limit,
  );
}

/** Channels that carry committed order activity to every API process (GraphQL subscriptions). */
export const ORDER_CHANNEL = 'atrium_orders';
export const EXECUTION_CHANNEL = 'atrium_executions';
export const BOOK_CHANNEL = 'atrium_books';

/** Delivered by PostgreSQL when (and only if) the transaction commits. */
type FreshEvent = { status: OrderStatus; event: OrderEvent | { type: 'submitted' } };

/**
 * Writes queued in one transaction and sent pipelined: the state machine runs
 * in memory, PostgreSQL gets the rows without a round trip per statement.
 * What many orders of a batch write alike — new order rows and their events,
 * executions, audit events, notifications — goes as one statement at flush,
 * whatever the batch's size.
 */
class WriteBatch {
  readonly pending: Promise<unknown>[] = [];
  /** The latest row each write returned, by order id. */
  readonly rows = new Map<string, Promise<OrderRow>>();
  /** Executions written in this batch, as the reply shows them. */
  readonly executions: (Execution & { order_id: string })[] = [];
  /**
   * Orders placed in this transaction and not yet final: their transitions
   * run in memory, and the row is inserted once, in its state after the
   * venue's answer, with its events — no insert-then-update of the same row.
   */
  readonly fresh = new Map<string, { input: PlaceOrderInput; events: FreshEvent[]; queuedAt?: string }>();
  #tx: TenantTx | null = null;
  readonly #toInsert: { row: OrderRow; input: PlaceOrderInput; events: FreshEvent[]; queuedAt?: string }[] = [];
  readonly #executionRows: Record<string, unknown>[] = [];
  readonly #audits: AuditEventInput[] = [];
  readonly #notices: [channel: string, payload: string][] = [];
  readonly #books: [instrument: string, mid: string][] = [];

  queue(promise: Promise<unknown>): void {
    // Settled by flush(); a failure aborts the transaction, and flush() rethrows it.
    promise.catch(() => {});
    this.pending.push(promise);
  }
  audit(tx: TenantTx, event: AuditEventInput): void {
    this.#tx = tx;
    this.#audits.push(event);
  }
  /** Delivered by PostgreSQL when (and only if) the transaction commits. */
  notify(tx: TenantTx, channel: string, payload: Record<string, unknown>): void {
    this.#tx = tx;
    this.#notices.push([channel, JSON.stringify({ tenantId: tx.tenantId, ...payload })]);
  }
  /** Paper books this transaction changed: their record moves to the next version, with the market's mid. */
  recordBooks(tx: TenantTx, books: [instrument: string, mid: string][]): void {
    this.#tx = tx;
    this.#books.push(...books);
  }
  /** A fresh order is final as it stands now: it is inserted with the batch's others; later changes to it are updates. */
  writeFresh(tx: TenantTx, row: OrderRow): void {
    const fresh = this.fresh.get(row.id);
    if (!fresh) return;
    this.#tx = tx;
    this.fresh.delete(row.id);
    this.#toInsert.push({ row, ...fresh });
  }
  writeExecution(tx: TenantTx, row: OrderRow, fill: PaperFill): void {
    this.#tx = tx;
    const execution = {
      id: newId(),
      order_id: row.id,
      orderId: row.id,
      quantity: plain(fill.quantity) as string,
      price: plain(fill.price) as string,
      fee: plain(fill.fee) as string,
      feeCurrency: fill.feeCurrency,
      liquidity: fill.liquidity,
      executedAt: utcNowMicros(),
    };
    this.executions.push(execution);
    this.#executionRows.push({
      id: execution.id,
      order_id: row.id,
      account_id: row.account_id,
      instrument: row.instrument,
      venue: row.venue,
      side: row.side,
      quantity: execution.quantity,
      price: execution.price,
      fee: execution.fee,
      fee_currency: execution.feeCurrency,
      liquidity: execution.liquidity,
      executed_at: execution.executedAt,
    });
    const { order_id: _, ...published } = execution;
    this.notify(tx, EXECUTION_CHANNEL, {
      execution: { ...published, instrument: row.instrument, side: row.side, accountId: row.account_id },
    });
  }
  /** Inserts the orders made final so far, with their events, before anything reads them. */
  insertFresh(): void {
    if (this.#tx && this.#toInsert.length > 0) this.#write(this.#tx, false);
  }
  async flush(): Promise<void> {
    this.#send();
    await Promise.all(this.pending);
  }
  /** The transaction's last writes and its COMMIT in one pipelined write (order entry's last round trip). */
  async commit(tx: TenantTx): Promise<void> {
    this.#send();
    await tx.commitWith(this.pending);
  }
  #send(): void {
    if (this.#tx) this.#write(this.#tx, true);
  }
  /**
   * One statement for what is queued: the fresh orders and their events, and with `all` the
   * executions, audit events and notifications too, each a part of one data-modifying WITH.
   * Foreign keys are checked at the statement's end, so events and executions may name the
   * orders it inserts; the notifications go in the order they were queued.
   */
  #write(tx: TenantTx, all: boolean): void {
    const orders = this.#toInsert.splice(0);
    const executions = all ? this.#executionRows.splice(0) : [];
    const audits = all ? this.#audits.splice(0) : [];
    const notices = all ? this.#notices.splice(0) : [];
    const books = all ? this.#books.splice(0) : [];
    if (orders.length + executions.length + audits.length + notices.length + books.length === 0) return;
    const parts: PendingQuery[] = [];
    if (orders.length > 0) {
      parts.push(tx`
        o as (
          insert into orders (tenant_id, id, parent_id, account_id, client_order_id, instrument, venue, side, type, time_in_force, post_only,
                              reduce_only, quantity, price, stop_price, expires_at, status, cum_quantity, leaves_quantity, avg_price,
                              cum_notional, reject_reason, created_at, updated_at, priority_at, triggered_at)
          select ${tx.tenantId}, o.id, o.parent_id, o.account_id, o.client_order_id, o.instrument, o.venue, o.side, o.type, o.time_in_force,
                 o.post_only, o.reduce_only, o.quantity, o.price, o.stop_price, o.expires_at, o.status, o.cum_quantity, o.leaves_quantity,
                 o.avg_price, o.cum_notional, o.reject_reason, o.created_at, o.updated_at, o.priority_at, o.triggered_at
            from jsonb_to_recordset(${tx.json(orders.map(({ row, input, queuedAt }) => ({ ...row, reduce_only: input.reduceOnly ?? false, priority_at: queuedAt ?? null })) as never)})
              as o(id uuid, parent_id uuid, account_id uuid, client_order_id text, instrument text, venue text, side text, type text,
                   time_in_force text, post_only boolean, reduce_only boolean, quantity numeric, price numeric, stop_price numeric,
                   expires_at timestamptz, status text, cum_quantity numeric, leaves_quantity numeric, avg_price numeric,
                   cum_notional numeric, reject_reason text, created_at timestamptz, updated_at timestamptz, priority_at timestamptz,
                   triggered_at timestamptz)
          returning ${tx.unsafe(COLUMNS)})`);
      // Every transition keeps its own microsecond time: clock_timestamp() is taken per row.
      const events = orders.flatMap(({ row, events }) => events.map((e, i) => ({ order_id: row.id, seq: i + 1, ...e })));
      parts.push(tx`
        e as (
          insert into order_events (tenant_id, order_id, seq, status, event)
          select ${tx.tenantId}, e.order_id, e.seq, e.status, e.event
            from jsonb_to_recordset(${tx.json(events as never)}) as e(order_id uuid, seq integer, status text, event jsonb))`);
    }
    if (executions.length > 0) {
      parts.push(tx`
        x as (
          insert into executions (tenant_id, id, order_id, account_id, instrument, venue, side, quantity, price, fee, fee_currency,
                                  liquidity, executed_at)
          select ${tx.tenantId}, x.id, x.order_id, x.account_id, x.instrument, x.venue, x.side, x.quantity, x.price, x.fee,
                 x.fee_currency, x.liquidity, x.executed_at
            from jsonb_to_recordset(${tx.json(executions as never)})
              as x(id uuid, order_id uuid, account_id uuid, instrument text, venue text, side text, quantity numeric, price numeric,
                   fee numeric, fee_currency text, liquidity text, executed_at timestamptz))`);
    }
    if (audits.length > 0) parts.push(tx`a as (${auditEventsInsert(tx, audits).insert})`);
    if (books.length > 0) {
      parts.push(tx`
        b as (
          update paper_books p set version = p.version + 1, mid = v.mid, updated_at = clock_timestamp()
            from unnest(${books.map(([instrument]) => instrument)}::text[], ${books.map(([, mid]) => mid)}::numeric[]) as v(instrument, mid)
           where p.tenant_id = ${tx.tenantId} and p.instrument = v.instrument)`);
    }
    // A plain SELECT in WITH runs only if the statement reads it, and n always has its one row.
    parts.push(tx`
      n as (
        select count(*) as notified
          from (select pg_notify(n.channel, n.payload)
                  from unnest(${notices.map(([c]) => c)}::text[], ${notices.map(([, p]) => p)}::text[]) with ordinality as n(channel, payload, i)
                 order by n.i) sent)`);
    const ctes = parts.reduce((list, part) => tx`${list}, ${part}`);
    const written = (
      orders.length > 0
        ? tx<OrderRow[]>`with ${ctes} select o.* from n left join o on true`
        : tx<OrderRow[]>`with ${ctes} select null as id from n`
    ).execute();
    this.queue(written);
    if (orders.length === 0) return;
    const byId = written.then((rows) => new Map(rows.map((r) => [r.id, r])));
    for (const { row } of orders) {
      const inserted = byId.then((rows) => rows.get(row.id) as OrderRow);
      // Read only after a commit; if the statement failed, the commit rethrows that failure and nobody reads these.
      inserted.catch(() => {});
      this.rows.set(row.id, inserted);
    }
  }
}

/** Applies one event to a locked order row: state machine in memory, row update and history queued. */
function transition(tx: TenantTx, batch: WriteBatch, row: OrderRow, event: OrderEvent, extra: { rejectReason?: string } = {}): OrderRow {
  const next = applyOrderEvent(stateOf(row), event);
  const moved = {
    ...row,
    status: next.status,
    quantity: next.quantity,
    price: next.price,
    cum_quantity: next.cumQuantity,
    leaves_quantity: next.leavesQuantity,
    avg_price: next.avgPrice,
    cum_notional: next.cumNotional,
    reject_reason: extra.rejectReason ?? row.reject_reason,
  };
  const fresh = batch.fresh.get(row.id);
  if (fresh) {
    fresh.events.push({ status: next.status, event });
    return moved;
  }
  const updated = tx<OrderRow[]>`
    update orders set status = ${next.status}, quantity = ${next.quantity}, price = ${next.price}, cum_quantity = ${next.cumQuantity},
           leaves_quantity = ${next.leavesQuantity}, avg_price = ${next.avgPrice}, cum_notional = ${next.cumNotional},
           reject_reason = coalesce(${extra.rejectReason ?? null}, reject_reason), updated_at = clock_timestamp()
     where tenant_id = ${tx.tenantId} and id = ${row.id}
     returning ${tx.unsafe(COLUMNS)}`.then((rows) => rows[0] as OrderRow);
  batch.queue(updated);
  batch.rows.set(row.id, updated);
  batch.queue(
    tx`
    insert into order_events (tenant_id, order_id, seq, status, event)
    values (${tx.tenantId}, ${row.id},
            (select coalesce(max(seq), 0) + 1 from order_events where tenant_id = ${tx.tenantId} and order_id = ${row.id}),
            ${next.status}, ${tx.json(event as never)})`.execute(),
  );
  return moved;
}

async function lockOrders(tx: TenantTx, ids: string[]): Promise<Map<string, OrderRow>> {
  if (ids.length === 0) return new Map();
  const rows = await tx<OrderRow[]>`
    select ${tx.unsafe(COLUMNS)} from orders where tenant_id = ${tx.tenantId} and id = any(${ids}::uuid[]) order by id for update`;
  return new Map(rows.map((row) => [row.id, row]));
}

/** Our orders a venue report changes: filled, expired, cancelled or triggered (each once). */
function ordersIn(report: PaperReport): string[] {
  return [...new Set([...report.fills.map((fill) => fill.orderId), ...report.expired, ...report.cancelled, ...report.triggered])];
}

/**
 * Applies what the venue reported to our orders in one transaction: fills
 * (executions, state), expiries and self-trade cancels, then the submitted
 * order's own outcome. Orders not ours (the market maker) never appear here.
 */
async function applyReport(
  tx: TenantTx,
  report: PaperReport,
  subject: string | null,
  context: AuditContext,
  batch: WriteBatch = new WriteBatch(),
): Promise<WriteBatch> {
  const touched = [...new Set([...ordersIn(report), ...(subject ? [subject] : [])])];
  applyReportToRows(tx, batch, await lockOrders(tx, touched), report, subject, context);
  return batch;
}

/** The venue's report applied to locked (or just inserted) rows: transitions, executions, audit, streams. */
function applyReportToRows(
  tx: TenantTx,
  batch: WriteBatch,
  rows: Map<string, OrderRow>,
  report: PaperReport,
  subject: string | null,
  context: AuditContext,
): void {
  const touched = [...rows.keys()];
  if (subject) {
    const row = rows.get(subject);
    if (row && row.status === 'pending-new') {
      const outcome = report.outcome;
      const reason = outcome?.rejectReason ?? 'rejected';
      rows.set(
        subject,
        outcome?.status === 'rejected'
          ? transition(tx, batch, row, { type: 'rejected', reason }, { rejectReason: reason })
          : transition(tx, batch, row, { type: 'accepted' }),
      );
    }
  }
  // Stops the market reached, with the time on the order's row (a fresh one is inserted with it): a rebuilt book rests
  // them, behind what rested at their price before (the book put them at the back of it when they triggered).
  const triggered = new Set(report.triggered);
  const triggeredAt = triggered.size > 0 ? utcNowMicros() : '';
  for (const id of triggered) {
    const row = rows.get(id);
    if (!row || row.triggered_at !== null) continue;
    rows.set(id, { ...row, triggered_at: triggeredAt, updated_at: triggeredAt });
    if (!batch.fresh.has(id)) {
      batch.queue(
        tx`update orders set triggered_at = ${triggeredAt}, priority_at = ${triggeredAt}, updated_at = ${triggeredAt}
            where tenant_id = ${tx.tenantId} and id = ${id}`.execute(),
      );
    }
  }
  const executions: (() => void)[] = [];
  for (const fill of report.fills) applyFill(tx, batch, rows, fill, executions);
  for (const id of report.expired) closeIfOpen(tx, batch, rows, id, { type: 'expired' });
  for (const id of report.cancelled) closeIfOpen(tx, batch, rows, id, { type: 'cancelled' });
  if (subject && report.outcome?.status === 'cancelled') closeIfOpen(tx, batch, rows, subject, { type: 'cancelled' });
  // An order placed in this transaction is written in its final state, before the executions that refer to it.
  const placed = subject ? rows.get(subject) : undefined;
  if (placed) batch.writeFresh(tx, placed);
  for (const write of executions) write();
  for (const id of touched) {
    const row = rows.get(id);
    if (!row) continue;
    const order = toOrder(row, []);
    const action = id === subject ? 'order.placed' : triggered.has(id) && row.status === 'new' ? 'order.triggered' : `order.${row.status}`;
    batch.audit(tx, { ...context, action, objectType: 'order', objectId: id, after: order });
    batch.notify(tx, ORDER_CHANNEL, { order });
  }
}

/** The fill's transition now; its execution row through `executions`, once the order row exists. */
function applyFill(tx: TenantTx, batch: WriteBatch, rows: Map<string, OrderRow>, fill: PaperFill, executions: (() => void)[]): void {
  const row = rows.get(fill.orderId);
  if (!row) return;
  rows.set(row.id, transition(tx, batch, row, { type: 'fill', quantity: fill.quantity, price: fill.price }));
  executions.push(() => batch.writeExecution(tx, row, fill));
}

function closeIfOpen(tx: TenantTx, batch: WriteBatch, rows: Map<string, OrderRow>, id: string, event: OrderEvent): void {
  const row = rows.get(id);
  if (!row || isTerminalStatus(row.status)) return;
  rows.set(id, transition(tx, batch, rows.get(id) as OrderRow, event));
}

/**
 * The one order path for every door: validate, round to the venue's
 * increments, pre-trade risk, record as pending-new (audited, committed),
 * send to the venue, then apply its report in a second transaction.
 */
export async function placeOrder(
  db: Database,
  tenantId: string,
  input: PlaceOrderInput,
  context: AuditContext,
  services: OrderServices,
): Promise<Order> {
  const now = services.now?.() ?? Date.now();
  const instrument = getInstrument(input.instrument);
  if (input.type === 'stop-limit' && (input.stopPrice === undefined || input.price === undefined)) {
    throw new InvalidOrderError('a stop-limit order needs a stopPrice and a limit price');
  }
  if (input.type !== 'stop-limit' && input.stopPrice !== undefined)
    throw new InvalidOrderError('stopPrice goes with stop-limit orders only');
  if (input.type === 'limit' && input.price === undefined) throw new InvalidOrderError('a limit order needs a price');
  if (input.type === 'stop-limit' && input.postOnly) throw new InvalidOrderError('a stop-limit order cannot be post-only');
  if (input.type === 'market' && input.price !== undefined) throw new InvalidOrderError('a market order takes no price');
  if (input.type === 'market' && input.postOnly) throw new InvalidOrderError('a market order cannot be post-only');
  if ((input.timeInForce === 'GTD') !== (input.expiresAt !== undefined))
    throw new InvalidOrderError('expiresAt goes with timeInForce GTD, and only with it');
  if (input.postOnly && input.timeInForce !== 'GTC' && input.timeInForce !== 'GTD')
    throw new InvalidOrderError('post-only orders rest: GTC or GTD');
  // The paper venue's increments, applied with ccxt's named modes like any venue: quantity TRUNCATE, price ROUND to the tick.
  const venuePrecise = applyVenuePrecision(paperMarket(instrument), {
    quantity: input.quantity,
    ...(input.price !== undefined ? { price: input.price } : {}),
  });
  const quantity = venuePrecise.quantity;
  const price = venuePrecise.price;
  const notional = price === undefined ? null : new Decimal(quantity).times(price).toFixed();
  const expiresAtMs = input.expiresAt ? Date.parse(input.expiresAt) : undefined;

  const id = newId();
  const clientOrderId = input.clientOrderId ?? id.replaceAll('-', '').slice(0, 32);
  const rounded = { ...input, quantity, ...(price !== undefined ? { price } : {}) };
  const venueOrder = {
    id,
    accountId: input.accountId,
    instrument: instrument.id,
    side: input.side,
    type: input.type,
    timeInForce: input.timeInForce,
    quantity,
    ...(price !== undefined ? { price } : {}),
    ...(input.stopPrice !== undefined
      ? { stopPrice: applyVenuePrecision(paperMarket(instrument), { quantity, price: input.stopPrice }).price }
      : {}),
    ...(input.postOnly ? { postOnly: true } : {}),
    ...(expiresAtMs !== undefined ? { expiresAt: expiresAtMs } : {}),
  } as const;

  if (input.venue !== 'paper') {
    return placeRemoteOrder(
      db,
      tenantId,
      { ...rounded, venue: input.venue },
      { id, clientOrderId, instrument, notional },
      context,
      services,
    );
  }

  // The paper venue answers in-process and cannot time out, so one transaction holds the checks,
  // the order, the venue's answer and its effects. (A remote venue gets pending-new committed first.)
  return new Promise<Order>((resolve, reject) =>
    paperLane(db, services).place({
      tenantId,
      input,
      rounded,
      notional,
      id,
      clientOrderId,
      instrument,
      venueOrder,
      now,
      receivedAt: utcNowMicros(),
      context,
      resolve,
      reject,
    }),
  );
}

/** A paper order ready for the venue: validated, rounded, with its ids, and whoever waits for its answer. */
interface PaperEntry {
  tenantId: string;
  input: PlaceOrderInput;
  rounded: PlaceOrderInput;
  notional: string | null;
  id: string;
  clientOrderId: string;
  instrument: Instrument;
  venueOrder: PaperOrder;
  now: number;
  /** When the engine took the order, UTC with microseconds. */
  receivedAt: string;
  context: AuditContext;
  resolve(order: Order): void;
  reject(error: unknown): void;
}

/** The first round trip sends a statement per distinct account and per reduce-only order, and three per batch; postgres.js pipelines up to 100. */
const MAX_PAPER_BATCH = 24;
const paperLanes = new WeakMap<Database, WeakMap<PaperVenue, PaperLane>>();

function paperLane(db: Database, services: OrderServices): PaperLane {
  let byVenue = paperLanes.get(db);
  if (!byVenue) {
    byVenue = new WeakMap();
    paperLanes.set(db, byVenue);
  }
  let lane = byVenue.get(services.paper);
  if (!lane) {
    lane = new PaperLane(db, services);
    byVenue.set(services.paper, lane);
  }
  return lane;
}

type LaneTask = { place: PaperEntry } | { run: () => Promise<void> };

/**
 * Everything that changes a tenant's paper books — placing, cancelling,
 * amending, the market's ticks, loading from the record — runs in that
 * tenant's lane, one task at a time, each with the transaction that records
 * what it changed. So a book never holds a change a committed transaction
 * does not, nor misses one: a task whose transaction fails marks the books it
 * changed stale, and they are rebuilt from the record before the next change.
 *
 * Group commit for paper orders: orders a tenant sends while one of its tasks
 * is in flight wait, then go together in the next transaction: one
 * BEGIN/COMMIT and the same two pipelined round trips for all of them. An idle
 * tenant's order goes at once, so batching adds no wait; it only forms under
 * load. Arrival order is the venue's order.
 */
class PaperLane {
  readonly #db: Database;
  readonly #services: OrderServices;
  readonly #waiting = new Map<string, LaneTask[]>();
  readonly #running = new Set<string>();

  constructor(db: Database, services: OrderServices) {
    this.#db = db;
    this.#services = services;
  }

  place(entry: PaperEntry): void {
    this.#push(entry.tenantId, { place: entry });
  }

  /** Runs `task` alone in the tenant's lane, after what was queued before it. */
  run<T>(tenantId: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#push(tenantId, { run: () => Promise.resolve().then(task).then(resolve, reject) });
    });
  }

  #push(tenantId: string, task: LaneTask): void {
    const queue = this.#waiting.get(tenantId);
    if (queue) queue.push(task);
    else this.#waiting.set(tenantId, [task]);
    if (!this.#running.has(tenantId)) this.#next(tenantId);
  }

  #next(tenantId: string): void {
    const queue = this.#waiting.get(tenantId);
    if (!queue?.length) {
      this.#running.delete(tenantId);
      return;
    }
    this.#running.add(tenantId);
    const head = queue[0] as LaneTask;
    let work: Promise<void>;
    if ('run' in head) {
      queue.shift();
      work = head.run();
    } else {
      let n = 1;
      while (n < queue.length && n < MAX_PAPER_BATCH && 'place' in (queue[n] as LaneTask)) n++;
      const batch = queue.splice(0, n).map((task) => (task as { place: PaperEntry }).place);
      work = settlePaperBatch(this.#db, tenantId, batch, this.#services);
    }
    if (queue.length === 0) this.#waiting.delete(tenantId);
    void work.finally(() => this.#next(tenantId));
  }
}

const PAPER_VENUE_CONTEXT: AuditContext = { actor: { type: 'system', id: 'paper-venue' }, requestId: null };

/** The open paper orders a book is rebuilt from, in their time priority at each price. */
function paperRecord(row: OrderRow): PaperRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    side: row.side,
    type: row.type as PaperRecord['type'],
    timeInForce: row.time_in_force,
    status: row.status as PaperRecord['status'],
    price: plain(row.price) as string,
    ...(row.stop_price !== null ? { stopPrice: plain(row.stop_price) as string } : {}),
    postOnly: row.post_only,
    ...(row.expires_at !== null ? { expiresAt: new Date(row.expires_at).getTime() } : {}),
    filled: plain(row.cum_quantity) as string,
    remaining: plain(row.leaves_quantity) as string,
    ...(row.triggered_at !== null ? { triggered: true } : {}),
  };
}

/** A book's row in paper_books as a transaction holds it. */
interface HeldBook {
  instrument: string;
  version: string;
  mid: string | null;
}

/** A copy this process changed in memory turned out, under the book's lock, to be of an older record: the change is void. */
class PaperBookOvertaken extends Error {
  readonly instruments: string[];
  constructor(instruments: string[]) {
    super(`the paper books of ${instruments.join(', ')} changed in another process`);
    this.instruments = instruments;
  }
}

/**
 * The paper books one transaction changes, held against the record. `hold`
 * locks their paper_books rows (in instrument order, so two replicas'
 * transactions cannot deadlock on them; always before any order row) and
 * compares each copy this process has with the record's version; a copy that
 * is missing, stale after a failure, or behind (another replica changed the
 * book since) is rebuilt from the open orders under that lock, and what the
 * market did to them on the way in is recorded in the same transaction.
 * A book the transaction changes moves to the next version, with the
 * market's mid, in its last statement; if the transaction fails, every copy
 * it changed or rebuilt is stale.
 */
class PaperBooks {
  readonly batch = new WriteBatch();
  readonly #tx: TenantTx;
  readonly #services: OrderServices;
  readonly #now: number;
  /** The record's version of each book, read under its lock. */
  readonly #held = new Map<string, string>();
  /** Copies this transaction changed or rebuilt: stale if it fails. */
  readonly #touched = new Set<string>();
  /** Books whose record this transaction changes: their version moves on. */
  readonly #changed = new Set<string>();
  #stamped = false;

  constructor(tx: TenantTx, services: OrderServices, now: number) {
    this.#tx = tx;
    this.#services = services;
    this.#now = now;
  }

  /**
   * Locks the books and makes every copy current. Its statements are sent at
   * once, so they travel with whatever the caller sends beside them.
   * `changedAlready`: the copies were changed in memory before the lock (a
   * tick); one found behind voids the transaction instead of being rebuilt.
   */
  async hold(instruments: Iterable<string>, options: { changedAlready?: boolean } = {}): Promise<void> {
    const tx = this.#tx;
    const paper = this.#services.paper;
    const wanted = [...new Set(instruments)].filter((instrument) => !this.#held.has(instrument)).sort();
    if (wanted.length === 0) return;
    // A book this process has no copy of may have no row yet; a copy's own load made its row.
    const absent = wanted.filter((instrument) => paper.version(tx.tenantId, instrument) === null);
    const created = absent.length
      ? tx`insert into paper_books (tenant_id, instrument)
           select ${tx.tenantId}, i from unnest(${absent}::text[]) i order by i
               on conflict do nothing`.execute()
      : Promise.resolve();
    const locked = tx<HeldBook[]>`
      select instrument, version::text as version, mid::text as mid
        from paper_books where tenant_id = ${tx.tenantId} and instrument = any(${wanted}::text[])
       order by instrument
         for update`.execute();
    const [, rows] = await Promise.all([created, locked]);
    if (rows.length !== wanted.length) throw new Error(`paper_books has no row for some of ${wanted.join(', ')}`);
    const behind: HeldBook[] = [];
    for (const row of rows) {
      this.#held.set(row.instrument, row.version);
      if (paper.version(tx.tenantId, row.instrument) !== row.version) behind.push(row);
    }
    if (behind.length > 0 && options.changedAlready) throw new PaperBookOvertaken(behind.map((book) => book.instrument));
    if (behind.length > 0) await this.#rebuild(behind);
  }

  /** The copies of books held that this transaction changes. */
  changing(instrument: string): void {
    if (!this.#held.has(instrument)) throw new Error(`the paper book of ${instrument} changed without its lock`);
    if (this.#stamped) throw new Error(`the paper book of ${instrument} changed after its new version was written`);
    this.#touched.add(instrument);
    this.#changed.add(instrument);
  }

  /** The queued writes, with the changed books' new versions. */
  flush(): Promise<void> {
    this.#stamp();
    return this.batch.flush();
  }

  /** The last writes, the changed books' new versions and COMMIT in one pipelined write. */
  commit(): Promise<void> {
    this.#stamp();
    return this.batch.commit(this.#tx);
  }

  /** The transaction committed: each changed copy holds the version it moved the record to. */
  committed(): void {
    for (const instrument of this.#changed) {
      this.#services.paper.recorded(this.#tx.tenantId, instrument, (BigInt(this.#held.get(instrument) as string) + 1n).toString());
    }
  }

  /** The transaction failed: every copy it changed or rebuilt may hold what the record does not. */
  failed(): void {
    for (const instrument of this.#touched) this.#services.paper.drop(this.#tx.tenantId, instrument);
  }

  /** Whether rebuilding a copy recorded something (what the market did to restored orders): it must commit whatever follows. */
  get rebuildRecorded(): boolean {
    return this.#changed.size > 0;
  }

  #stamp(): void {
    if (this.#stamped) return;
    this.#stamped = true;
    if (this.#changed.size === 0) return;
    const paper = this.#services.paper;
    this.batch.recordBooks(
      this.#tx,
      [...this.#changed].sort().map((instrument) => [instrument, paper.mid(this.#tx.tenantId, instrument)]),
    );
  }

  async #rebuild(books: HeldBook[]): Promise<void> {
    const tx = this.#tx;
    const paper = this.#services.paper;
    const instruments = books.map((book) => book.instrument);
    // Locked: a change another process makes to one of them waits for this transaction (it holds the books' rows, too).
    const open = await tx<OrderRow[]>`
      select ${tx.unsafe(COLUMNS)}
        from orders
       where tenant_id = ${tx.tenantId} and venue = 'paper' and instrument = any(${instruments}::text[])
         and status in ('new', 'partially-filled')
       order by instrument, coalesce(priority_at, created_at), id
         for update`;
    for (const book of books) {
      const mine = open.filter((row) => row.instrument === book.instrument);
      this.#touched.add(book.instrument);
      const report = paper.load(tx.tenantId, book.instrument, mine.map(paperRecord), this.#now, book);
      const touched = new Set(ordersIn(report));
      if (touched.size === 0) continue;
      this.#changed.add(book.instrument);
      const locked = new Map(mine.filter((row) => touched.has(row.id)).map((row) => [row.id, row]));
      applyReportToRows(tx, this.batch, locked, report, null, PAPER_VENUE_CONTEXT);
    }
  }
}

/**
 * A lane task's transaction over the tenant's paper books: the books it
 * holds are current before it changes them, and after it the copies know
 * the record's new versions (or are stale, if it failed).
 */
async function withPaperBooks<T>(
  db: Database,
  tenantId: string,
  services: OrderServices,
  now: number,
  work: (tx: TenantTx, books: PaperBooks) => Promise<T>,
): Promise<T> {
  let books: PaperBooks | undefined;
  try {
    const result = await db.withTenant(tenantId, (tx) => {
      books = new PaperBooks(tx, services, now);
      return work(tx, books);
    });
    books?.committed();
    return result;
  } catch (error) {
    books?.failed();
    throw error;
  }
}

/** A statement of a shared transaction failed, which voids it: each of its orders goes again alone. */
class PaperBatchAborted extends Error {}

/** Answers every entry; never rejects. */
async function settlePaperBatch(db: Database, tenantId: string, entries: PaperEntry[], services: OrderServices): Promise<void> {
  try {
    const outcomes = await placePaperOrders(db, tenantId, entries, services);
    for (const [i, entry] of entries.entries()) {
      const outcome = outcomes[i] as PaperOutcome;
      if ('order' in outcome) entry.resolve(outcome.order);
      else entry.reject(outcome.error);
    }
  } catch (error) {
    if (!(error instanceof PaperBatchAborted)) {
      for (const entry of entries) entry.reject(error);
      return;
    }
    // The venue heard of none of them: each goes again on its own and hears its own answer.
    for (const entry of entries) await settlePaperBatch(db, tenantId, [entry], services);
  }
}

type PaperOutcome = { order: Order } | { error: unknown };

/** An error PostgreSQL raised (the transaction is aborted), as opposed to a refusal our checks made. */
function isDatabaseError(error: unknown): boolean {
  return error instanceof Error && error.name === 'PostgresError';
}

/**
 * One transaction for a tenant's paper orders. First every order's checks in
 * one pipelined round trip — account, pre-trade risk, reduce-only, and its
 * clientOrderId (under a transaction lock on the id, so two transactions
 * cannot both find it free). Only the orders that pass reach the venue, in
 * arrival order, so a refused order never touches the book and refuses no
 * other. The books' locks travel with the checks; a copy that is not current
 * is rebuilt under them before any order reaches it. Then each order is
 * written once, in its state after the venue's answer, with its events,
 * executions, audit and streams, pipelined; COMMIT.
 */
function placePaperOrders(db: Database, tenantId: string, entries: PaperEntry[], services: OrderServices): Promise<PaperOutcome[]> {
  const changed = new Set<string>();
  return withPaperBooks(db, tenantId, services, (entries[0] as PaperEntry).now, async (tx, books) => {
    const claimed = [...new Set(entries.filter((e) => e.input.clientOrderId !== undefined).map((e) => e.clientOrderId))].sort();
    const taken = claimed.length
      ? Promise.all([
          tx`select pg_advisory_xact_lock(hashtextextended('atrium.client_order_id:' || ${tenantId} || ':' || c, 0))
                 from (select c from unnest(${claimed}::text[]) c order by c) ids`.execute(),
          // A statement of its own: READ COMMITTED takes its snapshot after the locks are held.
          tx<{ client_order_id: string }[]>`
              select client_order_id from orders where tenant_id = ${tenantId} and client_order_id = any(${claimed}::text[])`.execute(),
        ]).then(([, rows]) => new Set(rows.map((r) => r.client_order_id)))
      : Promise.resolve(new Set<string>());
    // The books' locks go next (clientOrderId locks, then books, then orders, in every transaction), before the checks read
    // anything. Settled, not thrown: its own failure, not the 25P02 the checks then get, is the batch's.
    const held = books.hold(entries.map((entry) => entry.instrument.id)).then(
      () => null,
      (error: unknown) => ({ error }),
    );
    const checks = entries.map((entry) =>
      Promise.allSettled([
        checkOrder(tx, { ...entry.rounded, notional: entry.notional }, services),
        entry.input.reduceOnly
          ? checkReduceOnly(tx, entry.input.accountId, entry.instrument.id, entry.input.side, entry.venueOrder.quantity)
          : Promise.resolve(),
      ]),
    );
    const [takenIds, checked, holding] = await Promise.all([taken, Promise.all(checks), held]);
    if (holding) throw holding.error;
    const seen = new Set<string>();
    const refusals = new Map<string, unknown>();
    for (const [i, results] of checked.entries()) {
      const entry = entries[i] as PaperEntry;
      const failure = results.find((r) => r.status === 'rejected')?.reason;
      if (isDatabaseError(failure)) throw entries.length === 1 ? failure : new PaperBatchAborted();
      const reused = takenIds.has(entry.clientOrderId) || seen.has(entry.clientOrderId);
      seen.add(entry.clientOrderId);
      if (failure !== undefined) refusals.set(entry.id, failure);
      else if (reused) refusals.set(entry.id, new ClientOrderIdTakenError(entry.clientOrderId));
    }

    const batch = books.batch;
    for (const entry of entries) {
      if (refusals.has(entry.id)) continue;
      changed.add(entry.instrument.id);
      books.changing(entry.instrument.id);
      // The book's order, which can differ from the order of receipt by a queue's wait: a reload follows this one.
      const queuedAt = utcNowMicros();
      const report = services.paper.submit(tenantId, entry.venueOrder, entry.now);
      // Our own orders it changed (resting ones it filled, stops it triggered; earlier ones of this batch too) are locked before they change.
      const others = ordersIn(report).filter((orderId) => orderId !== entry.id);
      // Earlier orders of this batch may be among them: their rows go in before they are read.
      if (others.length > 0) batch.insertFresh();
      const rows = others.length > 0 ? await lockOrders(tx, others) : new Map<string, OrderRow>();
      batch.fresh.set(entry.id, { input: entry.input, events: [{ status: 'pending-new', event: { type: 'submitted' } }], queuedAt });
      rows.set(entry.id, pendingRow(entry));
      applyReportToRows(tx, batch, rows, report, entry.id, entry.context);
    }
    const last = entries.at(-1) as PaperEntry;
    for (const instrument of changed) {
      const snapshot = services.paper.snapshot(tenantId, instrument, 10, last.now);
      if (services.paper.publishBookIfChanged(tenantId, instrument, snapshot)) {
        batch.notify(tx, BOOK_CHANNEL, { instrument, venue: 'paper', ...snapshot });
      }
    }
    await books.commit();
    // The replies are built from what the writes returned: no read after them, nothing sent after the commit.
    const executions = batch.executions;
    return Promise.all(
      entries.map(async (entry): Promise<PaperOutcome> => {
        if (refusals.has(entry.id)) return { error: refusals.get(entry.id) };
        const row = (await batch.rows.get(entry.id)) as OrderRow;
        const fills = executions.filter((e) => e.order_id === entry.id).map(({ order_id: _, ...fill }) => plainFill(fill));
        return { order: toOrder(row, fills) };
      }),
    );
  });
}

/** The order as it stands before the venue answers; written only once the answer is applied. */
function pendingRow(entry: PaperEntry): OrderRow {
  const { input, venueOrder } = entry;
  return {
    id: entry.id,
    parent_id: input.parentId ?? null,
    client_order_id: entry.clientOrderId,
    account_id: input.accountId,
    instrument: entry.instrument.id,
    venue: 'paper',
    venue_order_id: null,
    side: input.side,
    type: input.type,
    time_in_force: input.timeInForce,
    post_only: input.postOnly ?? false,
    quantity: venueOrder.quantity,
    price: venueOrder.price ?? null,
    stop_price: venueOrder.stopPrice ?? null,
    expires_at: input.expiresAt === undefined ? null : toRfc3339Micros(input.expiresAt),
    status: 'pending-new',
    cum_quantity: '0',
    leaves_quantity: venueOrder.quantity,
    avg_price: null,
    cum_notional: '0',
    reject_reason: null,
    // The engine's time of receipt: the row, its audit event and its stream message all carry it.
    created_at: entry.receivedAt,
    updated_at: entry.receivedAt,
    triggered_at: null,
  };
}

function plainFill(fill: Execution): Execution {
  return { ...fill, quantity: plain(fill.quantity) as string, price: plain(fill.price) as string, fee: plain(fill.fee) as string };
}

/** A paper order's book, held before the order's row is locked: every transaction that changes a paper book locks books, then orders. */
async function holdBookOf(tx: TenantTx, books: PaperBooks, id: string): Promise<void> {
  const [order] = await tx<{ venue: string; instrument: string }[]>`
    select venue, instrument from orders where tenant_id = ${tx.tenantId} and id = ${id}`;
  if (order?.venue === 'paper') await books.hold([order.instrument]);
}

const REBUILT = Symbol('rebuilt');

/**
 * A lane task on one order (cancel, amend), its paper book held first. A
 * rebuild of the copy that recorded something (what the market did to the
 * restored orders: an expiry, a fill) commits on its own first, so that the
 * task's refusal (the order turned out filled or expired) cannot take it
 * back; then the task runs in a transaction of its own on the current copy.
 */
function onBookOf<T>(
  db: Database,
  tenantId: string,
  services: OrderServices,
  now: number,
  id: string,
  task: (tx: TenantTx, books: PaperBooks) => Promise<T>,
): Promise<T> {
  return paperLane(db, services).run(tenantId, async () => {
    for (let attempt = 1; ; attempt++) {
      const result = await withPaperBooks(db, tenantId, services, now, async (tx, books): Promise<T | typeof REBUILT> => {
        await holdBookOf(tx, books, id);
        // Another replica would have to change the book between every two attempts for a third to be needed: then it goes in one.
        if (books.rebuildRecorded && attempt < 3) {
          await books.flush();
          return REBUILT;
        }
        return task(tx, books);
      });
      if (result !== REBUILT) return result as T;
    }
  });
}

async function lockOpenOrder(tx: TenantTx, id: string): Promise<OrderRow> {
  const row = (await lockOrders(tx, [id])).get(id);
  if (!row) throw new OrderNotFoundError();
  if (isTerminalStatus(row.status)) throw new OrderNotOpenError(id, row.status);
  return row;
}

export async function cancelOrder(
  db: Database,
  tenantId: string,
  id: string,
  context: AuditContext,
  services: OrderServices,
): Promise<Order> {
  const now = services.now?.() ?? Date.now();
  const requested = await onBookOf(db, tenantId, services, now, id, async (tx, books) => {
    const row = await lockOpenOrder(tx, id);
    // Only a working order can be cancelled; one whose state is in flight (pending-*, unknown) waits for it to settle.
    if (row.status !== 'new' && row.status !== 'partially-filled') throw new OrderNotOpenError(id, row.status);
    const batch = books.batch;
    const pending = transition(tx, batch, row, { type: 'cancel-requested' });
    if (row.venue !== 'paper') {
      // A live venue hears of the cancel only after pending-cancel is committed.
      batch.audit(tx, {
        ...context,
        action: 'order.cancel-requested',
        objectType: 'order',
        objectId: id,
        after: toOrder(pending, []),
      });
      batch.notify(tx, ORDER_CHANNEL, { order: toOrder(pending, []) });
      await batch.flush();
      return row;
    }
    books.changing(row.instrument);
    services.paper.cancel(tenantId, row.instrument, id);
    const cancelled = transition(tx, batch, pending, { type: 'cancelled' });
    batch.audit(tx, {
      ...context,
      action: 'order.cancelled',
      objectType: 'order',
      objectId: id,
      before: toOrder(row, []),
      after: toOrder(cancelled, []),
    });
    batch.notify(tx, ORDER_CHANNEL, { order: toOrder(cancelled, []) });
    await books.flush();
    return null;
  });
  if (!requested) return db.withTenant(tenantId, (tx) => getOrder(tx, id));
  return cancelAtVenue(db, tenantId, requested, context, services);
}

/** The venue's answer to a cancel, applied; a cancel it never answers leaves the order pending-cancel for a lookup. */
async function cancelAtVenue(
  db: Database,
  tenantId: string,
  row: OrderRow,
  context: AuditContext,
  services: OrderServices,
): Promise<Order> {
  if (!services.venueFor) throw new VenueNotConfiguredError(row.venue);
  const adapter = await services.venueFor(tenantId, row.account_id, row.venue as RemoteVenueId);
  let answer: VenueOrder | null = null;
  let refused = false;
  try {
    answer = await adapter.cancelOrder(row.venue_order_id ?? '', venueSymbol(getInstrument(row.instrument), row.venue as RemoteVenueId));
  } catch (error) {
    if (error instanceof VenueRejectedError) refused = true;
    else if (!(error instanceof VenueTimeoutError)) throw error;
  }
  return db.withTenant(tenantId, async (tx) => {
    let current = (await lockOrders(tx, [row.id])).get(row.id) as OrderRow;
    if (current.status === 'pending-cancel' && (answer || refused)) {
      const batch = new WriteBatch();
      if (refused || !answer) {
        current = transition(tx, batch, current, { type: 'cancel-rejected' });
      } else {
        const more = new Decimal(answer.cumQuantity).minus(current.cum_quantity);
        if (more.gt(0) && answer.avgPrice)
          current = transition(tx, batch, current, { type: 'fill', quantity: more.toFixed(), price: answer.avgPrice });
        if (answer.status === 'filled') {
          // Filled before the cancel arrived: nothing left to cancel.
        } else {
          current = transition(tx, batch, current, { type: answer.status === 'expired' ? 'expired' : 'cancelled' });
        }
      }
      batch.audit(tx, {
        ...context,
        action: `order.${current.status}`,
        objectType: 'order',
        objectId: row.id,
        after: toOrder(current, []),
      });
      batch.notify(tx, ORDER_CHANNEL, { order: toOrder(current, []) });
      await batch.flush();
    }
    return getOrder(tx, row.id);
  });
}

/** Changes price and/or total quantity; fills may follow when the new price crosses. */
export async function amendOrder(
  db: Database,
  tenantId: string,
  id: string,
  changes: { price?: string; quantity?: string },
  context: AuditContext,
  services: OrderServices,
): Promise<Order> {
  const now = services.now?.() ?? Date.now();
  return onBookOf(db, tenantId, services, now, id, async (tx, books) => {
    const row = await lockOpenOrder(tx, id);
    const instrument = getInstrument(row.instrument);
    if (row.type !== 'limit') throw new InvalidOrderError('only limit orders can be amended');
    if (row.venue !== 'paper') throw new InvalidOrderError('amend works on the paper venue; at a live venue, cancel and place again');
    // Checked before the venue is touched: an order whose state is in flight cannot be replaced.
    if (row.status !== 'new' && row.status !== 'partially-filled') throw new OrderNotOpenError(id, row.status);
    const adjusted = applyVenuePrecision(paperMarket(instrument), {
      quantity: changes.quantity ?? (plain(row.quantity) as string),
      price: changes.price ?? (plain(row.price) as string),
    });
    const quantity = changes.quantity === undefined ? undefined : adjusted.quantity;
    const price = changes.price === undefined ? undefined : adjusted.price;
    if (quantity !== undefined && new Decimal(quantity).lte(row.cum_quantity)) {
      throw new InvalidOrderError(`the new quantity must exceed the filled quantity ${plain(row.cum_quantity)}`);
    }
    const remaining = quantity === undefined ? undefined : new Decimal(quantity).minus(row.cum_quantity).toFixed();
    books.changing(row.instrument);
    const queuedAt = utcNowMicros();
    const report = services.paper.amend(
      tenantId,
      row.instrument,
      id,
      { ...(price !== undefined ? { price } : {}), ...(remaining !== undefined ? { quantity: remaining } : {}) },
      now,
    );
    if (!report || report.outcome?.status === 'rejected') {
      throw new OrderNotOpenError(id, report ? `refused (${report.outcome?.rejectReason})` : 'no longer in the book');
    }
    const asked = { ...(quantity !== undefined ? { quantity } : {}), ...(price !== undefined ? { price } : {}) };
    const batch = books.batch;
    const replaced = transition(tx, batch, transition(tx, batch, row, { type: 'replace-requested', ...asked }), {
      type: 'replaced',
      ...asked,
    });
    // A new price or a larger remainder sent the order to the back of its level; a reload must put it there too.
    const requeued =
      (price !== undefined && !new Decimal(price).eq(row.price as string)) ||
      (remaining !== undefined && new Decimal(remaining).gt(row.leaves_quantity));
    if (requeued) {
      batch.queue(tx`update orders set priority_at = ${queuedAt} where tenant_id = ${tenantId} and id = ${id}`.execute());
    }
    const others = await lockOrders(
      tx,
      ordersIn(report).filter((orderId) => orderId !== id),
    );
    // The amended order's own replace is audited below; everything else the amend touched goes the usual way.
    applyReportToRows(tx, batch, new Map([...others, [id, replaced]]), { ...report, outcome: undefined }, null, context);
    await books.flush();
    const order = await getOrder(tx, id);
    await appendAuditEvent(tx, {
      ...context,
      action: 'order.amended',
      objectType: 'order',
      objectId: id,
      before: toOrder(row, []),
      after: order,
    });
    return order;
  });
}

/** Mass cancel by account, instrument or venue; with no filter, every open order of the tenant (risk's kill switch uses it). */
export async function cancelOrders(
  db: Database,
  tenantId: string,
  filter: { accountId?: string; instrument?: string; venue?: string },
  context: AuditContext,
  services: OrderServices,
): Promise<{ cancelled: Order[]; failed: { orderId: string; code: string }[] }> {
  const ids = await db.withTenant(
    tenantId,
    (tx) =>
      tx<{ id: string }[]>`
      select id from orders where tenant_id = ${tenantId} and status = any(${OPEN}::text[])
        ${filter.accountId ? tx`and account_id = ${filter.accountId}` : tx``}
        ${filter.instrument ? tx`and instrument = ${filter.instrument}` : tx``}
        ${filter.venue ? tx`and venue = ${filter.venue}` : tx``}
      order by id`,
  );
  const cancelled: Order[] = [];
  const failed: { orderId: string; code: string }[] = [];
  for (const { id } of ids) {
    try {
      cancelled.push(await cancelOrder(db, tenantId, id, context, services));
    } catch (error) {
      // Filled, expired or in flight between the read and the cancel, or a venue that failed: the kill switch carries on.
      if (!(error instanceof OrderNotOpenError))
        failed.push({ orderId: id, code: (error as { code?: string }).code ?? 'TRD_ERR_CANCEL_FAILED' });
    }
  }
  return { cancelled, failed };
}

/** Applies what the paper venue did between requests (GTD expiry, market moves filling resting orders). */
export async function applyPaperTick(db: Database, services: OrderServices, now: number): Promise<number> {
  services.paper.stepPreviews(now);
  const ticked = await Promise.allSettled(
    services.paper.tenants().map((tenantId) =>
      paperLane(db, services).run(tenantId, async () => {
        const stale = services.paper.books(tenantId, 'stale');
        if (stale.length > 0) {
          // A book a failure left stale is rebuilt first: the rebuild records what the market did to it meanwhile.
          await withPaperBooks(db, tenantId, services, now, async (_tx, books) => {
            await books.hold(stale);
            await books.flush();
          });
        }
        // The market moves in memory first: a tick that changes none of our orders costs the record nothing.
        let ticked: ReturnType<typeof services.paper.tick>;
        try {
          ticked = services.paper.tick(tenantId, now);
        } catch (error) {
          // Some books may have moved before one failed: none of it is recorded.
          for (const instrument of services.paper.books(tenantId, 'loaded')) services.paper.drop(tenantId, instrument);
          throw error;
        }
        // Book by book, each in a transaction of its own: one overtaken or failing book voids only its own tick.
        let recorded = false;
        const failures: unknown[] = [];
        for (const { instrument, report } of ticked) {
          try {
            await withPaperBooks(db, tenantId, services, now, async (tx, books) => {
              await books.hold([instrument], { changedAlready: true });
              books.changing(instrument);
              await applyReport(tx, report, null, PAPER_VENUE_CONTEXT, books.batch);
              await books.flush();
            });
            recorded = true;
          } catch (error) {
            if (error instanceof PaperBookOvertaken) {
              // Another replica changed the book since this copy was current: that replica ticks it, and this copy goes back to quotes.
              services.paper.unload(tenantId, instrument, now);
            } else {
              // Whatever failed (even opening the transaction), the copy moved without the record.
              services.paper.drop(tenantId, instrument);
              failures.push(error);
            }
          }
        }
        if (failures.length > 0) throw failures.length === 1 ? failures[0] : new AggregateError(failures, 'paper book ticks failed');
        return recorded;
      }),
    ),
  );
  const failed = ticked.filter((result) => result.status === 'rejected');
  if (failed.length > 0)
    throw new AggregateError(
      failed.map((result) => result.reason),
      `${failed.length} tenants' paper ticks failed`,
    );
  return ticked.filter((result) => result.status === 'fulfilled' && result.value).length;
}

/**
 * After a restart: loads every paper book that has open orders in the
 * record, tenant by tenant, so they fill and expire again without waiting
 * for an order of their tenant. Returns how many books it held, and the
 * tenants whose books could not be loaded.
 *
 * `adopt` (every so often after the start): first the copies here that
 * another replica has overtaken (versions read without a lock) go back to
 * quotes; then only books with open orders that no copy here holds and
 * whose record has not changed for `idleForMs` are loaded: a book whose last
 * replica went away. A book another replica keeps changing is left to it.
 */
export async function restorePaperBooks(
  db: Database,
  services: OrderServices,
  now: number,
  adopt?: { idleForMs: number },
): Promise<{ books: number; failed: { tenantId: string; error: unknown }[] }> {
  const tenants = await db.withPlatform((tx) => tx<{ id: string }[]>`select id from tenants order by id`);
  const paper = services.paper;
  let books = 0;
  // One tenant's record that cannot be loaded stops neither the start nor the others; its stale books are loaded again by the tick.
  const failed: { tenantId: string; error: unknown }[] = [];
  for (const { id: tenantId } of tenants) {
    books += await paperLane(db, services).run(tenantId, async () => {
      try {
        return await withPaperBooks(db, tenantId, services, now, async (tx, held) => {
          if (!adopt) {
            const open = await tx<{ instrument: string }[]>`
              select distinct instrument from orders
               where tenant_id = ${tenantId} and venue = 'paper' and status in ('new', 'partially-filled')`;
            await held.hold(open.map((book) => book.instrument));
            await held.flush();
            return open.length;
          }
          const loaded = paper.books(tenantId, 'loaded');
          if (loaded.length > 0) {
            const versions = await tx<{ instrument: string; version: string }[]>`
              select instrument, version::text as version
                from paper_books where tenant_id = ${tenantId} and instrument = any(${loaded}::text[])`;
            for (const { instrument, version } of versions) {
              if (paper.version(tenantId, instrument) !== version) paper.unload(tenantId, instrument, now);
            }
          }
          const idle = await tx<{ instrument: string }[]>`
            select o.instrument
              from (select distinct instrument from orders
                     where tenant_id = ${tenantId} and venue = 'paper' and status in ('new', 'partially-filled')) o
              left join paper_books b on b.tenant_id = ${tenantId} and b.instrument = o.instrument
             where b.updated_at is null or b.updated_at < now() - make_interval(secs => ${adopt.idleForMs / 1000})`;
          const stale = new Set(paper.books(tenantId, 'stale'));
          const orphans = idle
            .map((book) => book.instrument)
            .filter((instrument) => paper.version(tenantId, instrument) === null && !stale.has(instrument));
          await held.hold(orphans);
          await held.flush();
          return orphans.length;
        });
      } catch (error) {
        failed.push({ tenantId, error });
        return 0;
      }
    });
  }
  return { books, failed };
}

/** A reduce-only order must face the position and not exceed it. */
async function checkReduceOnly(tx: TenantTx, accountId: string, instrument: string, side: 'buy' | 'sell', quantity: string): Promise<void> {
  const position = (await getPositions(tx, { accountId })).find((p) => p.instrument === instrument)?.position.quantity ?? '0';
  const held = new Decimal(position);
  const reduces = side === 'sell' ? held.gt(0) : held.lt(0);
  if (!reduces || new Decimal(quantity).gt(held.abs())) throw new ReduceOnlyError(side, quantity, position);
}

/** The order as recorded before any venue hears of it; every path (paper, live, smart parent) writes it through here. */
export function insertPendingOrder(
  tx: TenantTx,
  order: {
    id: string;
    clientOrderId: string;
    instrument: string;
    quantity: string;
    price: string | null;
    stopPrice: string | null;
  },
  input: Omit<PlaceOrderInput, 'venue'> & { venue: string },
) {
  return tx<OrderRow[]>`
    insert into orders (tenant_id, id, parent_id, account_id, client_order_id, instrument, venue, side, type, time_in_force, post_only,
                        reduce_only, quantity, price, stop_price, expires_at, status, leaves_quantity)
    values (${tx.tenantId}, ${order.id}, ${input.parentId ?? null}, ${input.accountId}, ${order.clientOrderId}, ${order.instrument},
            ${input.venue}, ${input.side}, ${input.type}, ${input.timeInForce}, ${input.postOnly ?? false}, ${input.reduceOnly ?? false},
            ${order.quantity}, ${order.price}, ${order.stopPrice}, ${input.expiresAt ?? null}, 'pending-new', ${order.quantity})
    returning ${tx.unsafe(COLUMNS)}`.execute();
}

/** A reused clientOrderId as the client should hear it; any other error as it is. */
export function clientOrderIdConflict(error: unknown, clientOrderId: string): unknown {
  return (error as { constraint_name?: string }).constraint_name === 'orders_tenant_id_client_order_id_key'
    ? new ClientOrderIdTakenError(clientOrderId)
    : error;
}

/** An account's status, read once per transaction however many orders of a batch name it. */
function accountStatus(tx: TenantTx, accountId: string): Promise<string | undefined> {
  return oncePerTransaction(tx, `trading:account-status:${accountId}`, () =>
    tx<{ status: string }[]>`select status from accounts where tenant_id = ${tx.tenantId} and id = ${accountId}`
      .execute()
      .then((rows) => rows[0]?.status),
  );
}

/** Checks the account and pre-trade risk, in one pipelined round trip; shared by both order paths. */
async function checkOrder(tx: TenantTx, input: PlaceOrderInput & { notional: string | null }, services: OrderServices): Promise<void> {
  // execute() sends each at once, in this order: postgres.js queries are otherwise lazy.
  const [account, risk] = await Promise.allSettled([accountStatus(tx, input.accountId), services.preTrade(tx, input)]);
  if (account.status === 'rejected') throw account.reason;
  const status = account.value;
  if (!status) throw new AccountNotFoundError();
  if (status !== 'active') throw new AccountClosedError(input.accountId);
  if (risk.status === 'rejected') throw risk.reason;
}

/**
 * A live venue over the network: pending-new is committed before the venue
 * hears of the order, so a crash or a lost reply leaves a record. A reply that
 * never comes makes the order 'unknown', resolved by looking it up at the
 * venue by client order id — never by sending it again.
 */
async function placeRemoteOrder(
  db: Database,
  tenantId: string,
  input: PlaceOrderInput & { venue: RemoteVenueId },
  order: { id: string; clientOrderId: string; instrument: Instrument; notional: string | null },
  context: AuditContext,
  services: OrderServices,
): Promise<Order> {
  // Binance, Coinbase and Kraken spot have no reduce-only flag.
  if (input.reduceOnly) throw new ReduceOnlyUnsupportedError(input.venue);
  if (!services.venueFor) throw new VenueNotConfiguredError(input.venue);
  const adapter = await services.venueFor(tenantId, input.accountId, input.venue);
  const symbol = venueSymbol(order.instrument, input.venue);
  const { id, clientOrderId } = order;
  await db.withTenant(tenantId, async (tx) => {
    await checkOrder(tx, { ...input, notional: order.notional }, services);
    await insertPendingOrder(
      tx,
      { id, clientOrderId, instrument: order.instrument.id, quantity: input.quantity, price: input.price ?? null, stopPrice: null },
      input,
    ).catch((error) => {
      throw clientOrderIdConflict(error, clientOrderId);
    });
    await tx`insert into order_events (tenant_id, order_id, seq, status, event) values (${tenantId}, ${id}, 1, 'pending-new', ${tx.json({ type: 'submitted' })})`;
    await appendAuditEvent(tx, {
      ...context,
      action: 'order.submitted',
      objectType: 'order',
      objectId: id,
      after: { id, clientOrderId, ...input },
    });
  });

  let answer: VenueOrder | null = null;
  let rejected: string | null = null;
  try {
    answer = await adapter.placeOrder({
      clientOrderId,
      symbol,
      side: input.side,
      type: input.type === 'market' ? 'market' : 'limit',
      quantity: input.quantity,
      ...(input.price !== undefined ? { price: input.price } : {}),
      ...(input.timeInForce !== 'GTD' ? { timeInForce: input.timeInForce } : {}),
      ...(input.postOnly ? { postOnly: true } : {}),
    });
  } catch (error) {
    // Anything but a clear refusal leaves the outcome open: treat it like a timeout and ask the venue.
    if (error instanceof VenueRejectedError) rejected = error.message;
  }

  if (!answer && rejected === null) {
    // The venue may or may not have the order: record that we do not know, then ask it.
    await db.withTenant(tenantId, async (tx) => {
      const batch = new WriteBatch();
      const row = (await lockOrders(tx, [id])).get(id) as OrderRow;
      const unknown = transition(tx, batch, row, { type: 'timed-out' });
      batch.audit(tx, { ...context, action: 'order.unknown', objectType: 'order', objectId: id, after: toOrder(unknown, []) });
      await batch.flush();
    });
    let found: VenueOrder | null;
    try {
      found = await adapter.fetchOrderByClientId(clientOrderId, symbol);
    } catch {
      // The venue cannot be asked either: the order stays 'unknown' for a later lookup, never a resend.
      return db.withTenant(tenantId, (tx) => getOrder(tx, id));
    }
    return db.withTenant(tenantId, async (tx) => {
      await resolveUnknown(tx, id, found, context);
      return getOrder(tx, id);
    });
  }

  return db.withTenant(tenantId, async (tx) => {
    const batch = new WriteBatch();
    let row = (await lockOrders(tx, [id])).get(id) as OrderRow;
    if (rejected !== null || !answer || answer.status === 'rejected') {
      const reason = rejected ?? 'rejected by the venue';
      row = transition(tx, batch, row, { type: 'rejected', reason }, { rejectReason: reason });
    } else {
      row = transition(tx, batch, row, { type: 'accepted' });
      if (answer.cumQuantity !== '0' && answer.avgPrice) {
        row = transition(tx, batch, row, { type: 'fill', quantity: answer.cumQuantity, price: answer.avgPrice });
      }
      if (answer.status === 'cancelled' || answer.status === 'expired') row = transition(tx, batch, row, { type: answer.status });
      batch.queue(tx`update orders set venue_order_id = ${answer.venueOrderId} where tenant_id = ${tenantId} and id = ${id}`.execute());
    }
    batch.audit(tx, { ...context, action: 'order.placed', objectType: 'order', objectId: id, after: toOrder(row, []) });
    batch.notify(tx, ORDER_CHANNEL, { order: toOrder(row, []) });
    await batch.flush();
    return getOrder(tx, id);
  });
}

/** What the venue says about an order we lost track of, applied: found, or never received (rejected, nothing filled). */
async function resolveUnknown(tx: TenantTx, id: string, found: VenueOrder | null, context: AuditContext): Promise<void> {
  const batch = new WriteBatch();
  const row = (await lockOrders(tx, [id])).get(id);
  if (row?.status !== 'unknown') return;
  const resolved = transition(tx, batch, row, {
    type: 'resolved',
    status: found ? (found.status as Exclude<OrderStatus, 'unknown' | 'pending-replace'>) : 'rejected',
    cumQuantity: found?.cumQuantity ?? '0',
    ...(found?.avgPrice ? { avgPrice: found.avgPrice } : {}),
    ...(found ? { quantity: found.quantity } : {}),
  });
  if (found)
    batch.queue(tx`update orders set venue_order_id = ${found.venueOrderId} where tenant_id = ${tx.tenantId} and id = ${id}`.execute());
  batch.audit(tx, { ...context, action: 'order.reconciled', objectType: 'order', objectId: id, after: toOrder(resolved, []) });
  batch.notify(tx, ORDER_CHANNEL, { order: toOrder(resolved, []) });
  await batch.flush();
}

/**
 * Asks the venues about a tenant's orders still 'unknown' (a placement whose reply and first lookup
 * were both lost). Returns how many were resolved; an unanswered lookup leaves the order for next time.
 */
export async function reconcileUnknownOrders(db: Database, tenantId: string, services: OrderServices, limit = 50): Promise<number> {
  const context: AuditContext = { actor: { type: 'system', id: 'reconciler' }, requestId: null };
  const unknown = await db.withTenant(
    tenantId,
    (tx) =>
      tx<{ id: string; account_id: string; venue: string; instrument: string; client_order_id: string }[]>`
      select id, account_id, venue, instrument, client_order_id from orders
       where tenant_id = ${tenantId} and status = 'unknown' order by id limit ${limit}`,
  );
  let resolved = 0;
  for (const order of unknown) {
    if (order.venue === 'paper' || order.venue === 'smart' || !services.venueFor) continue;
    try {
      const venue = order.venue as RemoteVenueId;
      const adapter = await services.venueFor(tenantId, order.account_id, venue);
      const found = await adapter.fetchOrderByClientId(order.client_order_id, venueSymbol(getInstrument(order.instrument), venue));
      await db.withTenant(tenantId, (tx) => resolveUnknown(tx, order.id, found, context));
      resolved++;
    } catch {
      // Still no answer from the venue: left unknown for the next round, never resent.
    }
  }
  return resolved;
}

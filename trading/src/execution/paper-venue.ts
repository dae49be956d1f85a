import { PaperBookNotLoadedError } from '../errors.ts';
import { getInstrument } from '../instruments/catalogue.ts';
import {
  type Candle,
  candles,
  createSyntheticMarket,
  type EngineFill,
  feeFor,
  MARKET_MAKER_OWNER_ID,
  type MarketStep,
  OrderBook,
  type RejectReason,
  type RestingOrder,
  type Scale,
  type SyntheticMarket,
  type Trade,
  tradeFromFill,
} from '../venues/paper/index.ts';

/** One of our orders as the paper venue sees it; prices and quantities are decimal strings. */
export interface PaperOrder {
  id: string;
  accountId: string;
  instrument: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop-limit';
  timeInForce: 'GTC' | 'IOC' | 'FOK' | 'GTD';
  quantity: string;
  price?: string;
  /** stop-limit: becomes a limit order at `price` once the market trades through this. */
  stopPrice?: string;
  postOnly?: boolean;
  /** Epoch ms, GTD only. */
  expiresAt?: number;
}

/**
 * One of our open orders as the database records it, for reloading a book: new or partially
 * filled, limit or stop-limit, resting (GTC or GTD). Decimal strings, like every PaperOrder.
 */
export interface PaperRecord {
  id: string;
  accountId: string;
  side: 'buy' | 'sell';
  type: 'limit' | 'stop-limit';
  /** GTC or GTD when it rests; a held stop-limit may be IOC or FOK, for when it triggers. */
  timeInForce: PaperOrder['timeInForce'];
  status: 'new' | 'partially-filled';
  price: string;
  stopPrice?: string;
  postOnly: boolean;
  /** Epoch ms, GTD only. */
  expiresAt?: number;
  /** What the order has filled, and what is left of it. */
  filled: string;
  remaining: string;
  /** A stop-limit whose stop was reached: it rests as a limit order, no longer held. */
  triggered?: boolean;
}

export interface PaperFill {
  /** Our order that filled (maker or taker). */
  orderId: string;
  liquidity: 'maker' | 'taker';
  quantity: string;
  price: string;
  fee: string;
  feeCurrency: string;
}

/** What happened to a tenant's orders in one call or one tick. */
export interface PaperReport {
  /** For the submitted or amended order; absent for ticks. */
  outcome?: {
    status: 'new' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected';
    rejectReason?: RejectReason;
    /** Resting, or cancelled remainder, as a decimal string. */
    remaining: string;
  };
  fills: PaperFill[];
  /** Our GTD orders that expired, and resting orders cancelled by self-trade prevention. */
  expired: string[];
  cancelled: string[];
  /** Our stop-limit orders whose stop the market reached in this change: released to the book as limit orders. */
  triggered: string[];
}

const nothing = (): PaperReport => ({ fills: [], expired: [], cancelled: [], triggered: [] });

export interface PaperVenueOptions {
  /** Seed of every synthetic market (mixed with tenant and instrument): same seed, same market. */
  seed?: number;
  makerFeeBps?: string;
  takerFeeBps?: string;
  /** How often the synthetic market moves; Infinity keeps it still (tests). */
  stepIntervalMs?: number;
}

const MID_PRICES: Record<string, string> = { 'BTC-USD': '65000', 'BTC-USDT': '65000', 'ETH-USDT': '3500' };

/**
 * - preview: made for a read (a snapshot, candles) before any order of ours was loaded; quotes only.
 * - loaded: holds every open order of ours the database held when it was loaded, and every change since.
 * - stale: a change to it failed to commit, so it may hold what the database does not; reloaded before use.
 */
type BookState = 'preview' | 'loaded' | 'stale';

interface Market {
  state: BookState;
  /** The book's recent trades (every fill, the market maker's included), oldest first, for candles. */
  trades: Trade[];
  /** Held stop-limit orders, waiting for the market to reach their stop. */
  stops: PaperOrder[];
  /** The last price a fill happened at in this book, in ticks. */
  lastTrade: bigint | null;
  tenantId: string;
  instrument: string;
  book: OrderBook;
  market: SyntheticMarket;
  scale: Scale;
  quote: string;
  lastStep: number;
  /** The version of the record (paper_books.version) a loaded copy holds; null unless loaded. */
  version: string | null;
}

/** What the record says of a book besides its orders (the paper_books row). */
export interface PaperBookRecord {
  version: string;
  /** The synthetic market's mid when the book last changed; null before any change was recorded. */
  mid: string | null;
}

/**
 * The built-in paper venue: one matching engine per tenant and instrument (a
 * tenant never trades against another tenant's orders), each with a seeded
 * synthetic market maker for depth. The database is the record and a book
 * its in-process copy: loaded from the record before it first changes,
 * changed only by a caller that records the change in the same transaction,
 * and marked stale (rebuilt from the record) when that transaction fails.
 * Each loaded copy knows the record's version it holds; with several API
 * replicas, a caller compares it with the record's under the book's lock and
 * rebuilds a copy another replica has overtaken before changing it.
 */
export function createPaperVenue(options: PaperVenueOptions = {}) {
  const markets = new Map<string, Market>();
  const makerFee = options.makerFeeBps ?? '1';
  const takerFee = options.takerFeeBps ?? '5';
  const stepInterval = options.stepIntervalMs ?? 1000;

  function newMarket(tenantId: string, instrumentId: string, now: number): Market {
    const key = `${tenantId}|${instrumentId}`;
    const instrument = getInstrument(instrumentId);
    const synthetic = createSyntheticMarket({
      seed: seedOf(`${options.seed ?? 7}|${key}`),
      midPrice: MID_PRICES[instrumentId] ?? '100',
      tickSize: instrument.tickSize,
      lotSize: instrument.lotSize,
      levels: 10,
      levelQuantity: instrument.base === 'BTC' ? '0.5' : '5',
      volatilityTicks: 5,
    });
    const market: Market = {
      state: 'preview',
      trades: [],
      stops: [],
      lastTrade: null,
      tenantId,
      instrument: instrumentId,
      book: new OrderBook(),
      market: synthetic,
      scale: synthetic.scale,
      quote: instrument.quote,
      lastStep: now,
      version: null,
    };
    markets.set(key, market);
    return market;
  }

  /** For reads: the book as it stands, or a preview of the market's quotes when none was loaded yet. */
  function marketFor(tenantId: string, instrumentId: string, now: number): Market {
    const market = markets.get(`${tenantId}|${instrumentId}`);
    if (market) return market;
    const preview = newMarket(tenantId, instrumentId, now);
    preview.market.step(preview.book, now);
    return preview;
  }

  /** For changes: only a book loaded from the record may change, or orders the database holds would be missing from it. */
  function loadedMarket(tenantId: string, instrumentId: string): Market {
    const market = markets.get(`${tenantId}|${instrumentId}`);
    if (market?.state !== 'loaded') throw new PaperBookNotLoadedError(instrumentId, market?.state ?? 'absent');
    return market;
  }

  /** An empty book (the market maker quotes into it next) and no held stops or last trade: for a rebuild, or a copy given up. */
  function clearOrders(m: Market): void {
    m.book = new OrderBook();
    m.stops = [];
    m.lastTrade = null;
  }

  /** Held GTD stops whose time has come leave like resting ones. */
  function expireStops(m: Market, now: number): string[] {
    const expired: string[] = [];
    for (const stop of [...m.stops]) {
      if (stop.expiresAt !== undefined && stop.expiresAt <= now) {
        m.stops.splice(m.stops.indexOf(stop), 1);
        expired.push(stop.id);
      }
    }
    return expired;
  }

  function ourFills(m: Market, fills: readonly EngineFill[]): PaperFill[] {
    const out: PaperFill[] = [];
    for (const fill of fills) {
      const price = m.scale.ticksToPrice(fill.price);
      const quantity = m.scale.lotsToQuantity(fill.quantity);
      const notional = m.scale.notional(fill.price, fill.quantity);
      if (fill.takerOwnerId !== MARKET_MAKER_OWNER_ID) {
        out.push({
          orderId: fill.takerOrderId,
          liquidity: 'taker',
          quantity,
          price,
          fee: feeFor(notional, takerFee, 8),
          feeCurrency: m.quote,
        });
      }
      if (fill.makerOwnerId !== MARKET_MAKER_OWNER_ID) {
        out.push({
          orderId: fill.makerOrderId,
          liquidity: 'maker',
          quantity,
          price,
          fee: feeFor(notional, makerFee, 8),
          feeCurrency: m.quote,
        });
      }
    }
    return out;
  }

  const ids = (orders: readonly RestingOrder[]) => orders.filter((o) => o.ownerId !== MARKET_MAKER_OWNER_ID).map((o) => o.id);

  /** Moves the synthetic market when its interval has passed: its new quotes may fill resting orders. */
  function maybeStep(m: Market, now: number): PaperReport {
    if (now - m.lastStep < stepInterval) return nothing();
    return applyStep(m, m.market.step(m.book, now), now);
  }

  /** What the market maker's new quotes did: fills of our resting orders, expiries, stops they triggered. */
  function applyStep(m: Market, step: MarketStep, now: number): PaperReport {
    m.lastStep = now;
    const last = step.fills.at(-1);
    if (last) m.lastTrade = last.price;
    recordTrades(m, step.fills, now);
    const triggered = triggerStops(m, now);
    return {
      fills: [...ourFills(m, step.fills), ...triggered.fills],
      expired: [...ids(step.expired), ...triggered.expired],
      cancelled: triggered.cancelled,
      triggered: triggered.triggered,
    };
  }

  const MAX_TRADES = 20_000;
  function recordTrades(m: Market, fills: readonly EngineFill[], now: number): void {
    for (const fill of fills) m.trades.push(tradeFromFill(fill, m.scale, now));
    if (m.trades.length > MAX_TRADES) m.trades.splice(0, m.trades.length - MAX_TRADES);
  }

  function submitToBook(m: Market, order: PaperOrder, now: number) {
    const result = m.book.submit(
      {
        id: order.id,
        ownerId: order.accountId,
        side: order.side,
        type: order.type === 'market' ? 'market' : 'limit',
        quantity: m.scale.quantityToLots(order.quantity),
        timeInForce: order.timeInForce,
        ...(order.price !== undefined ? { price: m.scale.priceToTicks(order.price) } : {}),
        ...(order.postOnly ? { postOnly: true } : {}),
        ...(order.expiresAt !== undefined ? { expiresAt: order.expiresAt } : {}),
      },
      now,
    );
    const last = result.fills.at(-1);
    if (last) m.lastTrade = last.price;
    recordTrades(m, result.fills, now);
    return result;
  }

  /** A buy stop triggers when the market trades (or, before any trade, the best ask stands) at or above it; a sell stop mirrors it. */
  function stopReached(m: Market, order: PaperOrder): boolean {
    const stop = m.scale.priceToTicks(order.stopPrice as string);
    const reference = m.lastTrade ?? (order.side === 'buy' ? m.book.bestAsk() : m.book.bestBid());
    if (reference === null) return false;
    return order.side === 'buy' ? reference >= stop : reference <= stop;
  }

  /** Releases every held stop the market has reached, as limit orders, until none is left to trigger. */
  function triggerStops(m: Market, now: number): PaperReport {
    const report = nothing();
    for (let released = true; released; ) {
      released = false;
      for (const stop of [...m.stops]) {
        if (!stopReached(m, stop)) continue;
        m.stops.splice(m.stops.indexOf(stop), 1);
        report.triggered.push(stop.id);
        const result = submitToBook(m, { ...stop, type: 'limit' }, now);
        report.fills.push(...ourFills(m, result.fills));
        report.expired.push(...ids(result.expired));
        report.cancelled.push(...ids(result.selfTradeCancelled));
        // A stop-limit with IOC/FOK semantics that could not rest is cancelled like any limit.
        if (result.status === 'cancelled' || result.status === 'rejected') report.cancelled.push(stop.id);
        released = true;
      }
    }
    return report;
  }

  const lastPublished = new Map<string, string>();

  return {
    id: 'paper' as const,

    /** True when the snapshot differs from the last one published for that book (so subscribers get changes only). */
    publishBookIfChanged(tenantId: string, instrument: string, snapshot: { bids: [string, string][]; asks: [string, string][] }): boolean {
      const key = `${tenantId}|${instrument}`;
      const text = JSON.stringify(snapshot);
      if (lastPublished.get(key) === text) return false;
      lastPublished.set(key, text);
      return true;
    },

    /**
     * (Re)builds the book from the record: our open orders in time priority (stop-limits held again
     * unless the record says they triggered), then the market maker's quotes.
     * Quotes that cross a restored order fill it, and restored GTD orders past their time expire:
     * the report says so, for the caller to record with the load. A stale or preview book keeps
     * its market (the random walk, recent trades for candles); only its orders are rebuilt.
     */
    load(tenantId: string, instrument: string, records: readonly PaperRecord[], now: number, recorded: PaperBookRecord): PaperReport {
      const previewed = markets.get(`${tenantId}|${instrument}`);
      const recordedMid = recorded.mid === null ? null : previewed ? previewed.scale.priceToTicks(recorded.mid) : null;
      if (previewed?.state === 'preview' && records.length === 0 && (recordedMid === null || recordedMid === previewed.market.mid())) {
        // Nothing of ours to restore: the quotes already shown stay, so a read before the first order saw the book it trades on.
        previewed.state = 'loaded';
        previewed.version = recorded.version;
        return nothing();
      }
      const m = previewed ?? newMarket(tenantId, instrument, now);
      // The market resumes where the record left it (a restart, another replica's changes), not at its seed.
      if (recorded.mid !== null) m.market.moveTo(m.scale.priceToTicks(recorded.mid));
      // Stale until it is whole: a record that cannot rest leaves it to be loaded again, not half loaded.
      // A rebuilt copy's last trade may be one that never committed, or older than what another replica traded since:
      // stops go by the quotes until the rebuilt book trades.
      m.state = 'stale';
      clearOrders(m);
      for (const record of records) {
        if (record.type === 'stop-limit' && record.status === 'new' && !record.triggered) {
          m.stops.push({
            id: record.id,
            accountId: record.accountId,
            instrument,
            side: record.side,
            type: 'stop-limit',
            timeInForce: record.timeInForce,
            quantity: record.remaining,
            price: record.price,
            stopPrice: record.stopPrice as string,
            ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
          });
          continue;
        }
        m.book.restore({
          id: record.id,
          ownerId: record.accountId,
          side: record.side,
          price: m.scale.priceToTicks(record.price),
          remaining: m.scale.quantityToLots(record.remaining),
          filled: m.scale.quantityToLots(record.filled),
          timeInForce: record.timeInForce as 'GTC' | 'GTD',
          postOnly: record.postOnly,
          ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
        });
      }
      m.state = 'loaded';
      m.version = recorded.version;
      const expired = expireStops(m, now);
      // The quotes go in now, whatever the interval: a new market takes its first step, a rebuilt or recorded one its quotes as they were.
      const resumes = previewed !== undefined || recorded.mid !== null;
      const moved = applyStep(m, resumes ? m.market.quote(m.book, now) : m.market.step(m.book, now), now);
      return { ...moved, expired: [...expired, ...moved.expired] };
    },

    /** After a change to the book failed to commit: it is rebuilt from the record before it changes again. */
    drop(tenantId: string, instrument: string): void {
      const m = markets.get(`${tenantId}|${instrument}`);
      if (m && m.state === 'loaded') {
        m.state = 'stale';
        m.version = null;
      }
    },

    /** The record's version a loaded copy holds; null for a book not loaded (never, or stale). */
    version(tenantId: string, instrument: string): string | null {
      const m = markets.get(`${tenantId}|${instrument}`);
      return m?.state === 'loaded' ? m.version : null;
    },

    /** A change to a loaded copy committed, moving the record to `version`. */
    recorded(tenantId: string, instrument: string, version: string): void {
      const m = markets.get(`${tenantId}|${instrument}`);
      if (m?.state === 'loaded') m.version = version;
    },

    /** The synthetic market's mid as a price, to record with a change. */
    mid(tenantId: string, instrument: string): string {
      const m = markets.get(`${tenantId}|${instrument}`);
      if (!m) throw new PaperBookNotLoadedError(instrument, 'absent');
      return m.scale.ticksToPrice(m.market.mid());
    },

    /**
     * A copy another replica has overtaken, with nothing of this process's pending on it, goes back
     * to quotes only: it stops ticking (the replica that changed it last ticks it) and is rebuilt
     * from the record when this process changes it again.
     */
    unload(tenantId: string, instrument: string, now: number): void {
      const m = markets.get(`${tenantId}|${instrument}`);
      if (!m || m.state === 'preview') return;
      m.state = 'preview';
      m.version = null;
      clearOrders(m);
      m.market.quote(m.book, now); // an empty book: the quotes take nothing
    },

    /** The tenant's books in a state (stale: to be reloaded, as a change to them failed), by instrument. */
    books(tenantId: string, state: BookState): string[] {
      return [...markets.values()].filter((m) => m.tenantId === tenantId && m.state === state).map((m) => m.instrument);
    },

    /** Moves the markets of books read but not loaded (no order of ours rests there), so their quotes and mids move as loaded ones do. */
    stepPreviews(now: number): void {
      for (const m of markets.values()) if (m.state === 'preview') maybeStep(m, now);
    },

    /** Tenants with a loaded or stale book: those a tick has work for. */
    tenants(): string[] {
      return [...new Set([...markets.values()].filter((m) => m.state !== 'preview').map((m) => m.tenantId))];
    },

    submit(tenantId: string, order: PaperOrder, now: number): PaperReport {
      const m = loadedMarket(tenantId, order.instrument);
      // Held stops past their time leave before anything can release them.
      const expiredStops = expireStops(m, now);
      const stepped = maybeStep(m, now);
      const before = { ...stepped, expired: [...expiredStops, ...stepped.expired] };
      if (order.type === 'stop-limit' && !stopReached(m, order)) {
        // Accepted and held off the book until the market reaches the stop.
        m.stops.push(order);
        const triggered = triggerStops(m, now);
        return {
          outcome: { status: 'new', remaining: order.quantity },
          fills: [...before.fills, ...triggered.fills],
          expired: [...before.expired, ...triggered.expired],
          cancelled: [...before.cancelled, ...triggered.cancelled],
          triggered: [...before.triggered, ...triggered.triggered],
        };
      }
      const result = submitToBook(m, order, now);
      // A stop-limit whose stop the market already stands at goes to the book at once: triggered on arrival, if the book took it.
      const arrived = order.type === 'stop-limit' && result.status !== 'rejected' ? [order.id] : [];
      const triggered = triggerStops(m, now);
      return {
        outcome: {
          status: result.status,
          ...(result.rejectReason ? { rejectReason: result.rejectReason } : {}),
          remaining: m.scale.lotsToQuantity(result.remaining),
        },
        fills: [...before.fills, ...ourFills(m, result.fills), ...triggered.fills],
        expired: [...before.expired, ...ids(result.expired), ...triggered.expired],
        cancelled: [...before.cancelled, ...ids(result.selfTradeCancelled), ...triggered.cancelled],
        triggered: [...before.triggered, ...arrived, ...triggered.triggered],
      };
    },

    /** Returns false when the order is no longer in the book (filled, expired or unknown). */
    cancel(tenantId: string, instrument: string, orderId: string): boolean {
      const m = markets.get(`${tenantId}|${instrument}`);
      // A book not loaded holds none of ours that the record has; it is rebuilt from the record when loaded.
      if (m?.state !== 'loaded') return false;
      const held = m.stops.findIndex((stop) => stop.id === orderId);
      if (held >= 0) {
        m.stops.splice(held, 1);
        return true;
      }
      return Boolean(m.book.cancel(orderId));
    },

    /** `quantity` is the new remaining quantity. Null when the order is not in the book. */
    amend(
      tenantId: string,
      instrument: string,
      orderId: string,
      changes: { price?: string; quantity?: string },
      now: number,
    ): PaperReport | null {
      const m = loadedMarket(tenantId, instrument);
      const result = m.book.amend(
        orderId,
        {
          ...(changes.price !== undefined ? { price: m.scale.priceToTicks(changes.price) } : {}),
          ...(changes.quantity !== undefined ? { quantity: m.scale.quantityToLots(changes.quantity) } : {}),
        },
        now,
      );
      if (!result) return null;
      return {
        outcome: {
          status: result.status,
          ...(result.rejectReason ? { rejectReason: result.rejectReason } : {}),
          remaining: m.scale.lotsToQuantity(result.remaining),
        },
        fills: ourFills(m, result.fills),
        expired: ids(result.expired),
        cancelled: ids(result.selfTradeCancelled),
        triggered: [],
      };
    },

    /** Expiry and market moves for the tenant's loaded books: what happened to our orders, book by book (only books where something did). */
    tick(tenantId: string, now: number): { instrument: string; report: PaperReport }[] {
      const reports: { instrument: string; report: PaperReport }[] = [];
      for (const m of markets.values()) {
        if (m.state !== 'loaded' || m.tenantId !== tenantId) continue;
        // Held stops past their time leave before the market can release them.
        const expiredStops = expireStops(m, now);
        const moved = maybeStep(m, now);
        const expired = [...expiredStops, ...moved.expired, ...ids(m.book.expire(now))];
        if (moved.fills.length + expired.length + moved.cancelled.length + moved.triggered.length === 0) continue;
        reports.push({ instrument: m.instrument, report: { ...moved, expired } });
      }
      return reports;
    },

    /** OHLCV of the book's recent trades, by interval. */
    candles(tenantId: string, instrument: string, intervalMs: number): Candle[] {
      return candles(markets.get(`${tenantId}|${instrument}`)?.trades ?? [], intervalMs);
    },

    /** Aggregated depth as decimal strings, best first. */
    snapshot(tenantId: string, instrument: string, depth: number, now: number) {
      const m = marketFor(tenantId, instrument, now);
      const snap = m.book.snapshot(depth);
      const level = ([price, quantity]: [bigint, bigint]): [string, string] => [
        m.scale.ticksToPrice(price),
        m.scale.lotsToQuantity(quantity),
      ];
      return { bids: snap.bids.map(level), asks: snap.asks.map(level) };
    },
  };
}

export type PaperVenue = ReturnType<typeof createPaperVenue>;

function seedOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return hash >>> 0;
}

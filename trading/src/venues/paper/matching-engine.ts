import { BookSide, type PriceLevel, RestingEntry } from './book-side.ts';
import type {
  AmendChanges,
  BookLevel,
  BookSnapshot,
  EngineFill,
  EngineOrder,
  RejectReason,
  RestingOrder,
  RestoredOrder,
  Side,
  SubmitResult,
} from './engine-types.ts';
import { InvalidRestoreError } from './errors.ts';
import { ExpiryQueue } from './expiry-queue.ts';

const NONE: readonly RestingOrder[] = Object.freeze([]);
const SIDES = new Set(['buy', 'sell']);
const TYPES = new Set(['limit', 'market']);
const TIMES_IN_FORCE = new Set(['GTC', 'IOC', 'FOK', 'GTD']);

/**
 * A limit order book for one instrument with price-time priority. Pure and in-process: no clock, no
 * I/O; the caller passes `now` (epoch ms) and turns results into events.
 *
 * - A taker fills at each maker's price, best price first and, within a price, earliest first.
 * - GTC and GTD remainders rest; IOC and market remainders are cancelled; FOK fills completely or is
 *   rejected without touching the book.
 * - Self-trade prevention is cancel-maker: when a taker meets a resting order of the same ownerId,
 *   that resting order is cancelled (reported in `selfTradeCancelled`) and matching goes on. A FOK
 *   counts only other owners' liquidity, and cancels its owner's makers only when it fills.
 * - GTD orders leave the book when expiresAt ≤ now: through expire(now), and at the start of every
 *   submit and amend so an expired order can never trade.
 * - Ids are unique among resting orders only; uniqueness across an order's whole life is the venue's.
 */
export class OrderBook {
  private readonly bids = new BookSide(true);
  private readonly asks = new BookSide(false);
  private readonly orders = new Map<string, RestingEntry>();
  private readonly expiries = new ExpiryQueue();
  private nextPriority = 1;
  private nextSequence = 1;
  /** Filled by take(), emptied into each result. */
  private selfTradeCancelled: RestingEntry[] = [];

  /** Resting orders. */
  get size(): number {
    return this.orders.size;
  }

  submit(order: EngineOrder, now: number): SubmitResult {
    const expired = this.expireDue(now);
    const invalid = this.validate(order, now);
    if (invalid !== undefined) return rejected(invalid, order.quantity, expired);

    const side = order.side;
    const opposite = side === 'buy' ? this.asks : this.bids;
    const limit = order.type === 'limit' ? order.price : undefined;
    if (order.postOnly === true && crosses(side, limit, opposite)) return rejected('post-only-would-take', order.quantity, expired);
    if (order.type === 'market' && opposite.levels.length === 0) return rejected('no-liquidity', order.quantity, expired);
    if (order.timeInForce === 'FOK' && !this.canFill(opposite, order.ownerId, side, limit, order.quantity)) {
      return rejected('fok-not-fillable', order.quantity, expired);
    }

    const fills: EngineFill[] = [];
    const remaining = this.take(order.id, order.ownerId, side, limit, order.quantity, fills, opposite);
    const selfTradeCancelled = this.drainSelfTradeCancelled();
    if (remaining === 0n) return { status: 'filled', fills, remaining, selfTradeCancelled, expired };
    if (limit === undefined || order.timeInForce === 'IOC' || order.timeInForce === 'FOK') {
      return { status: 'cancelled', fills, remaining, selfTradeCancelled, expired };
    }
    const entry = new RestingEntry(
      order.id,
      order.ownerId,
      side,
      limit,
      remaining,
      order.quantity - remaining,
      order.timeInForce,
      order.postOnly === true,
      order.expiresAt,
      this.nextPriority++,
    );
    this.rest(entry);
    return { status: fills.length > 0 ? 'partially-filled' : 'new', fills, remaining, selfTradeCancelled, expired };
  }

  /**
   * Puts an order back on the book as a record says it stood (the venue reloading its orders): no
   * matching, no checks against the other side, behind every order already resting at its price.
   * Restore a book's orders in their time priority, before anything trades. An order whose GTD has
   * passed is restored too and expires at the next call, reported like any expiry.
   */
  restore(order: RestoredOrder): void {
    if (typeof order.id !== 'string' || order.id === '' || typeof order.ownerId !== 'string' || order.ownerId === '')
      throw new InvalidRestoreError('an id and an owner');
    if (!SIDES.has(order.side) || (order.timeInForce !== 'GTC' && order.timeInForce !== 'GTD'))
      throw new InvalidRestoreError(`a resting side and time in force, not ${order.side} ${order.timeInForce}`);
    if (order.price <= 0n || order.remaining <= 0n || order.filled < 0n)
      throw new InvalidRestoreError('a price, a remainder and no negative fill');
    if ((order.timeInForce === 'GTD') !== (order.expiresAt !== undefined))
      throw new InvalidRestoreError('expiresAt with GTD, and only with it');
    if (this.orders.has(order.id)) throw new InvalidRestoreError(`order ${order.id} rests already`);
    this.rest(
      new RestingEntry(
        order.id,
        order.ownerId,
        order.side,
        order.price,
        order.remaining,
        order.filled,
        order.timeInForce,
        order.postOnly,
        order.expiresAt,
        this.nextPriority++,
      ),
    );
  }

  /** Removes a resting order; null if it is not resting (unknown, filled, cancelled or expired). */
  cancel(id: string): RestingOrder | null {
    const entry = this.orders.get(id);
    if (entry === undefined) return null;
    this.unrest(entry);
    return entry;
  }

  /**
   * Changes a resting order's price and/or REMAINING quantity (the book holds only what is left, so
   * the amended quantity cannot fall below what was filled). A quantity decrease at the same price
   * keeps time priority; a price change or a quantity increase loses it: the order goes to the back
   * of its (new) level and, at a crossing price, takes liquidity first exactly like a new order.
   * A post-only order whose new price would cross is rejected and left as it was.
   * Null if the order is not resting.
   */
  amend(id: string, changes: AmendChanges, now: number): SubmitResult | null {
    // Nothing to amend: expire nothing either, since null carries no list of what expired.
    if (!this.orders.has(id)) return null;
    const expired = this.expireDue(now);
    const entry = this.orders.get(id);
    if (entry === undefined) {
      const gone = expired.find((order) => order.id === id);
      return gone === undefined ? null : rejected('expired', gone.remaining, expired);
    }
    const price = changes.price ?? entry.price;
    const quantity = changes.quantity ?? entry.remaining;
    if (typeof price !== 'bigint' || price <= 0n || typeof quantity !== 'bigint' || quantity <= 0n) {
      return rejected('invalid', entry.remaining, expired);
    }
    if (price === entry.price && quantity <= entry.remaining) {
      const level = this.sideOf(entry.side).levelAt(price);
      level.quantity -= entry.remaining - quantity;
      entry.remaining = quantity;
      entry.quantity = entry.filled + quantity;
      return { status: restingStatus(entry), fills: [], remaining: quantity, selfTradeCancelled: NONE, expired };
    }

    const opposite = entry.side === 'buy' ? this.asks : this.bids;
    if (entry.postOnly && crosses(entry.side, price, opposite)) return rejected('post-only-would-take', entry.remaining, expired);
    this.unrest(entry);
    const fills: EngineFill[] = [];
    const remaining = this.take(entry.id, entry.ownerId, entry.side, price, quantity, fills, opposite);
    const selfTradeCancelled = this.drainSelfTradeCancelled();
    // A new entry, so that the old one's slot in its queue and the expiry heap stays dead.
    const renewed = new RestingEntry(
      entry.id,
      entry.ownerId,
      entry.side,
      price,
      remaining,
      entry.filled + quantity - remaining,
      entry.timeInForce,
      entry.postOnly,
      entry.expiresAt,
      this.nextPriority++,
    );
    if (remaining === 0n) return { status: 'filled', fills, remaining, selfTradeCancelled, expired };
    this.rest(renewed);
    return { status: restingStatus(renewed), fills, remaining, selfTradeCancelled, expired };
  }

  /** Removes and returns the GTD orders whose expiresAt ≤ now, earliest first. */
  expire(now: number): RestingOrder[] {
    return [...this.expireDue(now)];
  }

  order(id: string): RestingOrder | null {
    return this.orders.get(id) ?? null;
  }

  bestBid(): bigint | null {
    return this.bids.best()?.price ?? null;
  }

  bestAsk(): bigint | null {
    return this.asks.best()?.price ?? null;
  }

  /** Up to `depth` levels a side, aggregated, best first. */
  snapshot(depth: number): BookSnapshot {
    return { bids: topLevels(this.bids, depth), asks: topLevels(this.asks, depth) };
  }

  private sideOf(side: Side): BookSide {
    return side === 'buy' ? this.bids : this.asks;
  }

  private validate(order: EngineOrder, now: number): RejectReason | undefined {
    // Callers may be plain JavaScript (the FIX gateway, replays), so the shape is checked, not assumed.
    if (typeof order.id !== 'string' || order.id === '' || typeof order.ownerId !== 'string' || order.ownerId === '') return 'invalid';
    if (!SIDES.has(order.side) || !TYPES.has(order.type) || !TIMES_IN_FORCE.has(order.timeInForce)) return 'invalid';
    if (typeof order.quantity !== 'bigint' || order.quantity <= 0n) return 'invalid';
    if (order.type === 'limit') {
      if (typeof order.price !== 'bigint' || order.price <= 0n) return 'invalid';
    } else if (order.price !== undefined || order.postOnly === true) {
      return 'invalid';
    }
    if (order.postOnly === true && (order.timeInForce === 'IOC' || order.timeInForce === 'FOK')) return 'invalid';
    if (order.timeInForce === 'GTD') {
      if (typeof order.expiresAt !== 'number' || !Number.isFinite(order.expiresAt)) return 'invalid';
    } else if (order.expiresAt !== undefined) {
      return 'invalid';
    }
    if (this.orders.has(order.id)) return 'duplicate-id';
    if (order.timeInForce === 'GTD' && (order.expiresAt as number) <= now) return 'expired';
    return undefined;
  }

  /** Whether other owners' crossing liquidity covers `quantity`. Reads only. */
  private canFill(opposite: BookSide, ownerId: string, side: Side, limit: bigint | undefined, quantity: bigint): boolean {
    let available = 0n;
    const levels = opposite.levels;
    for (let l = levels.length - 1; l >= 0; l--) {
      const level = levels[l] as PriceLevel;
      if (limit !== undefined && (side === 'buy' ? level.price > limit : level.price < limit)) return false;
      const queue = level.queue;
      for (let i = level.head; i < queue.length; i++) {
        const maker = queue[i] as RestingEntry;
        if (!maker.live || maker.ownerId === ownerId) continue;
        available += maker.remaining;
        if (available >= quantity) return true;
      }
    }
    return false;
  }

  /** Matches a taker against the opposite side up to `limit` (none for market); returns what is left. */
  private take(
    takerId: string,
    takerOwnerId: string,
    takerSide: Side,
    limit: bigint | undefined,
    quantity: bigint,
    fills: EngineFill[],
    opposite: BookSide,
  ): bigint {
    const levels = opposite.levels;
    const isBuy = takerSide === 'buy';
    let remaining = quantity;
    while (remaining > 0n && levels.length > 0) {
      const level = levels[levels.length - 1] as PriceLevel;
      if (limit !== undefined && (isBuy ? level.price > limit : level.price < limit)) break;
      const queue = level.queue;
      while (remaining > 0n && level.head < queue.length) {
        const maker = queue[level.head] as RestingEntry;
        if (!maker.live) {
          level.head++;
          continue;
        }
        if (maker.ownerId === takerOwnerId) {
          maker.live = false;
          level.count--;
          level.quantity -= maker.remaining;
          level.head++;
          this.orders.delete(maker.id);
          this.selfTradeCancelled.push(maker);
          continue;
        }
        // biome-ignore lint/complexity/useMathMinMax: Math.min does not take bigint.
        const filled = remaining < maker.remaining ? remaining : maker.remaining;
        remaining -= filled;
        maker.remaining -= filled;
        maker.filled += filled;
        level.quantity -= filled;
        fills.push({
          makerOrderId: maker.id,
          takerOrderId: takerId,
          makerOwnerId: maker.ownerId,
          takerOwnerId,
          price: level.price,
          quantity: filled,
          takerSide,
          makerRemaining: maker.remaining,
          sequence: this.nextSequence++,
        });
        if (maker.remaining === 0n) {
          maker.live = false;
          level.count--;
          level.head++;
          this.orders.delete(maker.id);
        }
      }
      if (level.count === 0) levels.pop();
      else level.compact();
    }
    return remaining;
  }

  private rest(entry: RestingEntry): void {
    this.sideOf(entry.side).levelAt(entry.price).push(entry);
    this.orders.set(entry.id, entry);
    if (entry.expiresAt !== undefined) this.expiries.push(entry);
  }

  private unrest(entry: RestingEntry): void {
    const side = this.sideOf(entry.side);
    const level = side.levelAt(entry.price);
    level.remove(entry);
    if (level.count === 0) side.removeLevel(level);
    this.orders.delete(entry.id);
  }

  private expireDue(now: number): readonly RestingOrder[] {
    if (!this.expiries.hasDue(now)) return NONE;
    const expired: RestingEntry[] = [];
    while (this.expiries.hasDue(now)) {
      const entry = this.expiries.pop() as RestingEntry;
      // Skip entries that already left the book, or were replaced by an amend under the same id.
      if (entry.live && this.orders.get(entry.id) === entry) {
        this.unrest(entry);
        expired.push(entry);
      }
    }
    return expired.length > 0 ? expired : NONE;
  }

  private drainSelfTradeCancelled(): readonly RestingOrder[] {
    if (this.selfTradeCancelled.length === 0) return NONE;
    const cancelled = this.selfTradeCancelled;
    this.selfTradeCancelled = [];
    return cancelled;
  }
}

function crosses(side: Side, limit: bigint | undefined, opposite: BookSide): boolean {
  const best = opposite.best();
  if (best === undefined) return false;
  if (limit === undefined) return true;
  return side === 'buy' ? best.price <= limit : best.price >= limit;
}

function restingStatus(entry: RestingEntry): 'new' | 'partially-filled' {
  return entry.filled > 0n ? 'partially-filled' : 'new';
}

function rejected(reason: RejectReason, remaining: bigint, expired: readonly RestingOrder[]): SubmitResult {
  return { status: 'rejected', fills: [], remaining, rejectReason: reason, selfTradeCancelled: NONE, expired };
}

function topLevels(side: BookSide, depth: number): BookLevel[] {
  const levels = side.levels;
  const out: BookLevel[] = [];
  for (let i = levels.length - 1; i >= 0 && out.length < depth; i--) {
    const level = levels[i] as PriceLevel;
    out.push([level.price, level.quantity]);
  }
  return out;
}

import type { RestingOrder, Side, TimeInForce } from './engine-types.ts';

/** The book's record of a resting order; handed out as a read-only RestingOrder. */
export class RestingEntry implements RestingOrder {
  readonly id: string;
  readonly ownerId: string;
  readonly side: Side;
  readonly type = 'limit' as const;
  price: bigint;
  quantity: bigint;
  remaining: bigint;
  filled: bigint;
  readonly timeInForce: TimeInForce;
  readonly postOnly: boolean;
  readonly expiresAt: number | undefined;
  priority: number;
  /** False once the order left the book; its slot in the level's queue is then skipped (lazy deletion). */
  live = true;

  constructor(
    id: string,
    ownerId: string,
    side: Side,
    price: bigint,
    remaining: bigint,
    filled: bigint,
    timeInForce: TimeInForce,
    postOnly: boolean,
    expiresAt: number | undefined,
    priority: number,
  ) {
    this.id = id;
    this.ownerId = ownerId;
    this.side = side;
    this.price = price;
    this.quantity = filled + remaining;
    this.remaining = remaining;
    this.filled = filled;
    this.timeInForce = timeInForce;
    this.postOnly = postOnly;
    this.expiresAt = expiresAt;
    this.priority = priority;
  }
}

// Compact a queue once this many slots are dead and they outnumber the live ones: amortised O(1).
const COMPACT_AFTER = 32;

/** One price on one side: a FIFO of entries (an array read from `head`) and its live total. */
export class PriceLevel {
  readonly price: bigint;
  queue: RestingEntry[] = [];
  head = 0;
  /** Live entries in the queue. */
  count = 0;
  /** Sum of the live entries' remaining lots. */
  quantity = 0n;

  constructor(price: bigint) {
    this.price = price;
  }

  push(entry: RestingEntry): void {
    this.queue.push(entry);
    this.count++;
    this.quantity += entry.remaining;
  }

  /** Marks an entry gone. The caller removes the level from its side when count reaches 0. */
  remove(entry: RestingEntry): void {
    entry.live = false;
    this.count--;
    this.quantity -= entry.remaining;
    this.compact();
  }

  compact(): void {
    const dead = this.queue.length - this.head - this.count;
    if (this.head > COMPACT_AFTER && this.head > this.count) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (dead > COMPACT_AFTER && dead > this.count) {
      this.queue = this.queue.filter((entry, index) => index >= this.head && entry.live);
      this.head = 0;
    }
  }
}

/**
 * One side of the book: price levels in an array sorted so that the BEST level is LAST (bids
 * ascending, asks descending). Taking from the touch is then a pop, and the orders that arrive or
 * leave near the touch shift only the few levels behind them.
 */
export class BookSide {
  readonly isBid: boolean;
  readonly levels: PriceLevel[] = [];

  constructor(isBid: boolean) {
    this.isBid = isBid;
  }

  best(): PriceLevel | undefined {
    return this.levels[this.levels.length - 1];
  }

  /** The level at `price`, created in place if absent. */
  levelAt(price: bigint): PriceLevel {
    const levels = this.levels;
    const last = levels.length - 1;
    const best = levels[last];
    if (best === undefined || (this.isBid ? price > best.price : price < best.price)) {
      const level = new PriceLevel(price);
      levels.push(level);
      return level;
    }
    if (best.price === price) return best;
    const index = this.search(price);
    const found = levels[index];
    if (found !== undefined && found.price === price) return found;
    const level = new PriceLevel(price);
    levels.splice(index, 0, level);
    return level;
  }

  removeLevel(level: PriceLevel): void {
    const levels = this.levels;
    if (levels[levels.length - 1] === level) {
      levels.pop();
      return;
    }
    const index = this.search(level.price);
    if (levels[index] === level) levels.splice(index, 1);
  }

  /** The first index whose level is not worse than `price` in array order (lower bound). */
  private search(price: bigint): number {
    const levels = this.levels;
    let low = 0;
    let high = levels.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const candidate = (levels[middle] as PriceLevel).price;
      if (this.isBid ? candidate < price : candidate > price) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

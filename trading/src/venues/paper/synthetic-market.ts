import type { EngineFill, RestingOrder } from './engine-types.ts';
import { InvalidSyntheticMarketError } from './errors.ts';
import type { OrderBook } from './matching-engine.ts';
import { createScale, type InstrumentIncrements, type Scale } from './scale.ts';

export const MARKET_MAKER_OWNER_ID = 'market-maker';

export interface SyntheticMarketOptions extends InstrumentIncrements {
  /** Same seed, same market: every random choice comes from this seed. */
  seed: number;
  /** Starting mid, on the tick. */
  midPrice: string;
  /** Price levels quoted on each side. */
  levels: number;
  /** Quantity quoted at each level, on the lot. */
  levelQuantity: string;
  /** The mid moves by a whole number of ticks drawn uniformly from [-volatilityTicks, volatilityTicks] each step. */
  volatilityTicks: number;
}

/** A recorded order book, as a venue publishes it: decimal strings, best first or not, on the tick and lot. */
export interface RecordedBook {
  bids: [price: string, quantity: string][];
  asks: [price: string, quantity: string][];
  /** Epoch ms the snapshot was taken; the replay's `now`. Without it the previous snapshot's time (0 at first) is kept. */
  timestamp?: number;
}

export interface MarketStep {
  /** The mid in ticks after the step: the random-walked mid, or for a replay the midpoint of the recorded touch. */
  midTicks: bigint;
  /** Fills where the new quotes took resting orders: how other owners' limit orders get filled when the market moves through them. */
  fills: EngineFill[];
  /** GTD orders the book expired while the quotes were placed. */
  expired: RestingOrder[];
}

export interface SyntheticMarket {
  readonly scale: Scale;
  /** The mid in ticks as it stands. */
  mid(): bigint;
  /** Puts the mid where a record says the market was (kept above the lowest bid's floor); quotes follow at the next step or quote. */
  moveTo(midTicks: bigint): void;
  /** Cancels the previous quotes, random-walks the mid and quotes `levels` levels a side around it. */
  step(book: OrderBook, now: number): MarketStep;
  /** Quotes `levels` levels a side around the mid as it stands, without moving it: a rebuilt book gets the quotes it had. */
  quote(book: OrderBook, now: number): MarketStep;
  /** Applies each recorded book in turn, as the market maker's quotes, yielding once per snapshot. */
  replay(book: OrderBook, snapshots: Iterable<RecordedBook>): Generator<MarketStep, void, undefined>;
}

/**
 * A deterministic market maker for the paper venue, owner 'market-maker', so that the book always
 * has depth. Its quotes are ordinary GTC limit orders: when the mid moves through another owner's
 * resting order, the new quote takes it, and that is the paper fill.
 */
export function createSyntheticMarket(options: SyntheticMarketOptions): SyntheticMarket {
  const scale = createScale(options);
  if (!Number.isSafeInteger(options.levels) || options.levels < 1) throw new InvalidSyntheticMarketError(`levels ${options.levels}`);
  if (!Number.isSafeInteger(options.volatilityTicks) || options.volatilityTicks < 0) {
    throw new InvalidSyntheticMarketError(`volatilityTicks ${options.volatilityTicks}`);
  }
  const levelLots = scale.quantityToLots(options.levelQuantity);
  if (levelLots <= 0n) throw new InvalidSyntheticMarketError(`levelQuantity ${options.levelQuantity}`);
  const levels = BigInt(options.levels);
  // The lowest bid stays at one tick or above.
  const floor = levels + 1n;
  let mid = scale.priceToTicks(options.midPrice);
  if (mid < floor) throw new InvalidSyntheticMarketError(`midPrice ${options.midPrice} leaves no room for ${options.levels} bid levels`);
  const random = mulberry32(options.seed);
  let quotes: string[] = [];
  let nextQuote = 1;

  const requote = (book: OrderBook, now: number, bids: [bigint, bigint][], asks: [bigint, bigint][]): Omit<MarketStep, 'midTicks'> => {
    for (const id of quotes) book.cancel(id);
    quotes = [];
    const fills: EngineFill[] = [];
    const expired: RestingOrder[] = [];
    const place = (side: 'buy' | 'sell', price: bigint, quantity: bigint) => {
      const id = `${MARKET_MAKER_OWNER_ID}-${options.seed}-${nextQuote++}`;
      const result = book.submit({ id, ownerId: MARKET_MAKER_OWNER_ID, side, type: 'limit', price, quantity, timeInForce: 'GTC' }, now);
      fills.push(...result.fills);
      expired.push(...result.expired);
      if (result.status === 'new' || result.status === 'partially-filled') quotes.push(id);
    };
    for (const [price, quantity] of bids) place('buy', price, quantity);
    for (const [price, quantity] of asks) place('sell', price, quantity);
    return { fills, expired };
  };

  /** `levels` levels a side around the mid as it stands. */
  const quoteAroundMid = (book: OrderBook, now: number): MarketStep => {
    const bids: [bigint, bigint][] = [];
    const asks: [bigint, bigint][] = [];
    for (let i = 1n; i <= levels; i++) {
      bids.push([mid - i, levelLots]);
      asks.push([mid + i, levelLots]);
    }
    return { midTicks: mid, ...requote(book, now, bids, asks) };
  };

  return {
    scale,
    mid: () => mid,
    moveTo(midTicks) {
      mid = midTicks < floor ? floor : midTicks;
    },
    step(book, now) {
      const span = options.volatilityTicks * 2 + 1;
      mid += BigInt(Math.floor(random() * span) - options.volatilityTicks);
      if (mid < floor) mid = floor;
      return quoteAroundMid(book, now);
    },
    quote: quoteAroundMid,
    *replay(book, snapshots) {
      let now = 0;
      for (const snapshot of snapshots) {
        now = snapshot.timestamp ?? now;
        const toTicks = ([price, quantity]: [string, string]): [bigint, bigint] => [
          scale.priceToTicks(price),
          scale.quantityToLots(quantity),
        ];
        const bids = snapshot.bids.map(toTicks);
        const asks = snapshot.asks.map(toTicks);
        const step = requote(book, now, bids, asks);
        const bestBid = bids.reduce<bigint | null>((best, [price]) => (best === null || price > best ? price : best), null);
        const bestAsk = asks.reduce<bigint | null>((best, [price]) => (best === null || price < best ? price : best), null);
        if (bestBid !== null && bestAsk !== null) mid = (bestBid + bestAsk) / 2n;
        else mid = bestBid ?? bestAsk ?? mid;
        yield { midTicks: mid, ...step };
      }
    },
  };
}

/** mulberry32: a tiny, fast 32-bit PRNG; plenty for a simulation and identical on every platform. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

import { Decimal } from 'decimal.js';
import { consolidateLevels } from './consolidated-book.ts';
import { Dec, plain, readDecimal } from './decimal.ts';
import { InvalidDecimalError, InvalidRouteRequestError } from './errors.ts';
import { type PricedLevel, parseVenueBooks, type VenueBook, type VenueTerms } from './venue-book.ts';

export interface RouteRequest {
  readonly side: 'buy' | 'sell';
  readonly quantity: string;
  /** A limit on the raw (venue) price, before fees. */
  readonly limitPrice?: string;
}

/** What to send to one venue. */
export interface ChildOrder {
  readonly venue: string;
  readonly quantity: string;
  /** The worst raw price taken at this venue: the child's limit, so it never walks further than planned. */
  readonly limitPrice: string;
  /** Raw, before fees. */
  readonly expectedAveragePrice: string;
  /** In the quote currency. */
  readonly expectedFee: string;
  /** In the quote currency, fees included: paid for a buy (notional + fee), received for a sell (notional − fee). */
  readonly expectedCost: string;
}

export interface BestSingleVenue {
  readonly venue: string;
  /** Fee-inclusive, like the plan's. */
  readonly expectedAveragePrice: string;
  readonly fillableQuantity: string;
}

export interface RoutePlan {
  /** One per venue, in the order the walk first reached each venue (best price first). */
  readonly children: ChildOrder[];
  readonly filledQuantity: string;
  readonly unfilledQuantity: string;
  /** Fee-inclusive average across the children; null when nothing fills. */
  readonly expectedAveragePrice: string | null;
  /** Null when nothing fills. */
  readonly bestSingleVenue: BestSingleVenue | null;
  /** The plan's saving against bestSingleVenue, in basis points of that venue's effective price. */
  readonly savingBps: string;
}

// Averages are quotients that may not terminate: rounded half-even at 18 places, exact when shorter.
const AVERAGE_DECIMALS = 18;
// A hundredth of a hundredth of a basis point is far below anything a trader acts on.
const SAVING_BPS_DECIMALS = 4;
// What a quote balance buys is a quotient too. Without a lot we truncate it to 8 places (one satoshi),
// the finest quantity step we know a venue to accept; truncating keeps the child within the balance.
const BALANCE_QUANTITY_DECIMALS = 8;

interface Take {
  readonly price: Decimal;
  readonly quantity: Decimal;
}

interface VenueAllocation {
  readonly terms: VenueTerms;
  readonly takes: Take[];
  quantity: Decimal;
  /** Quote spent including fees, tracked for buys against the quote balance. */
  spentQuote: Decimal;
}

interface Allocation {
  readonly venues: VenueAllocation[];
  readonly quantity: Decimal;
  /** Quote paid including fees (buy) or received net of fees (sell). */
  readonly total: Decimal;
}

/**
 * Splits an order across venues to get the best fee-inclusive average price.
 *
 * The walk takes the consolidated book greedily, best effective price first, skipping levels beyond
 * the limit price and never taking more at a venue than its book, its balance (for a buy the quote
 * balance must cover price × quantity plus the fee; for a sell the base balance covers the quantity,
 * the fee being deducted from the quote proceeds) or its cap. Then each venue's total is rounded
 * DOWN to its lot, and a venue whose total falls below its minimum quantity is dropped; either way the
 * venue is capped at what it kept and the walk is run again, so the freed quantity goes to the next
 * best levels. Capping one venue only leaves more for the others, so a capped venue gets exactly its cap
 * from then on: each venue is capped at most once and the walk runs at most (venues + 1) times.
 *
 * Lots and minimums make the greedy walk beatable in corner cases (a lot venue rounded to zero can
 * strand half an order that it could have filled alone), so the walk's plan is checked against each
 * venue taking the whole order alone: the plan that fills more wins, then the better average, and the
 * consolidated plan wins a tie. So a plan never fills less than one venue could alone, nor costs more
 * than a single venue filling the same quantity.
 *
 * bestSingleVenue is the single venue with the best effective average for the plan's filled quantity
 * (under the same limit price and balances). When no venue can fill that quantity alone, it is the
 * venue with the best effective average for what it can fill, and fillableQuantity says how much that
 * is: then the saving compares averages over different quantities and can be negative.
 * savingBps is (single − plan) / single × 10000 for a buy and (plan − single) / single × 10000 for a
 * sell, rounded half-even to 4 places; '0' when nothing fills.
 */
export function routeOrder(request: RouteRequest, books: readonly VenueBook[]): RoutePlan {
  const { side, quantity, limitPrice } = parseRequest(request);
  const venues = parseVenueBooks(books);
  const levels = consolidateLevels(venues, side === 'buy' ? 'asks' : 'bids');
  const levelsAt = (terms: VenueTerms) => levels.filter((level) => level.terms === terms);

  const alone = venues.map((venue) => allocate(side, quantity, limitPrice, levelsAt(venue.terms)));
  let plan = allocate(side, quantity, limitPrice, levels);
  for (const single of alone) if (fillsBetter(side, single, plan)) plan = single;

  const filled = plan.quantity;
  const children = plan.venues.map((venue) => childOrder(side, venue));
  if (filled.isZero()) {
    return {
      children,
      filledQuantity: '0',
      unfilledQuantity: plain(quantity),
      expectedAveragePrice: null,
      bestSingleVenue: null,
      savingBps: '0',
    };
  }

  const sameQuantity = filled.eq(quantity) ? alone : venues.map((venue) => allocate(side, filled, limitPrice, levelsAt(venue.terms)));
  const single = bestSingle(side, filled, sameQuantity);
  let savingBps = '0';
  if (single !== null) {
    // plan / single averages as one quotient: (planTotal / filled) / (singleTotal / singleQuantity).
    const ratio = plan.total.times(single.quantity).div(filled.times(single.total));
    const saving = (side === 'buy' ? new Dec(1).minus(ratio) : ratio.minus(1)).times(10_000);
    savingBps = plain(saving.toDecimalPlaces(SAVING_BPS_DECIMALS, Decimal.ROUND_HALF_EVEN));
  }
  return {
    children,
    filledQuantity: plain(filled),
    unfilledQuantity: plain(quantity.minus(filled)),
    expectedAveragePrice: average(plan.total, filled),
    bestSingleVenue:
      single === null
        ? null
        : {
            venue: single.venue,
            expectedAveragePrice: average(single.total, single.quantity),
            fillableQuantity: plain(single.quantity),
          },
    savingBps,
  };
}

function parseRequest(request: RouteRequest): { side: 'buy' | 'sell'; quantity: Decimal; limitPrice: Decimal | null } {
  if (request.side !== 'buy' && request.side !== 'sell')
    throw new InvalidRouteRequestError(`side must be buy or sell, got ${String(request.side)}`);
  const positive = (text: string, field: string) => {
    const value = readDecimal(text);
    if (value === null) throw new InvalidDecimalError(field, String(text));
    if (value.lte(0)) throw new InvalidRouteRequestError(`${field} must be positive, got ${text}`);
    return value;
  };
  return {
    side: request.side,
    quantity: positive(request.quantity, 'quantity'),
    limitPrice: request.limitPrice === undefined ? null : positive(request.limitPrice, 'limitPrice'),
  };
}

/** The greedy walk, repeated until every venue's total is a whole number of lots and at least its minimum. */
function allocate(side: 'buy' | 'sell', quantity: Decimal, limitPrice: Decimal | null, levels: readonly PricedLevel[]): Allocation {
  const caps = new Map<VenueTerms, Decimal>();
  for (;;) {
    const venues = walk(side, quantity, limitPrice, levels, caps);
    let settled = true;
    for (const venue of venues) {
      const { minQuantity, quantityIncrement } = venue.terms;
      const lots =
        quantityIncrement === null
          ? venue.quantity
          : venue.quantity.div(quantityIncrement).toDecimalPlaces(0, Decimal.ROUND_DOWN).times(quantityIncrement);
      const kept = minQuantity !== null && lots.lt(minQuantity) ? new Dec(0) : lots;
      if (kept.lt(venue.quantity)) {
        caps.set(venue.terms, kept);
        settled = false;
      }
    }
    if (settled) {
      let filled = new Dec(0);
      let total = new Dec(0);
      for (const venue of venues) {
        filled = filled.plus(venue.quantity);
        total = total.plus(costOf(side, venue).total);
      }
      return { venues, quantity: filled, total };
    }
  }
}

function walk(
  side: 'buy' | 'sell',
  quantity: Decimal,
  limitPrice: Decimal | null,
  levels: readonly PricedLevel[],
  caps: ReadonlyMap<VenueTerms, Decimal>,
): VenueAllocation[] {
  const byVenue = new Map<VenueTerms, VenueAllocation>();
  let remaining = quantity;
  for (const level of levels) {
    if (remaining.isZero()) break;
    // Levels are ranked by effective price, so a raw price past the limit does not end the walk:
    // a later level at another venue can have a lower fee and a raw price within the limit.
    if (limitPrice !== null && (side === 'buy' ? level.price.gt(limitPrice) : level.price.lt(limitPrice))) continue;
    const terms = level.terms;
    const venue = byVenue.get(terms) ?? { terms, takes: [], quantity: new Dec(0), spentQuote: new Dec(0) };

    let take = Dec.min(remaining, level.quantity);
    const cap = caps.get(terms);
    if (cap !== undefined) take = Dec.min(take, cap.minus(venue.quantity));
    if (side === 'buy' && terms.availableQuote !== null) {
      const affordable = terms.availableQuote
        .minus(venue.spentQuote)
        .div(level.effectivePrice)
        .toDecimalPlaces(BALANCE_QUANTITY_DECIMALS, Decimal.ROUND_DOWN);
      take = Dec.min(take, affordable);
    }
    if (side === 'sell' && terms.availableBase !== null) take = Dec.min(take, terms.availableBase.minus(venue.quantity));
    if (take.lte(0)) continue;

    venue.takes.push({ price: level.price, quantity: take });
    venue.quantity = venue.quantity.plus(take);
    venue.spentQuote = venue.spentQuote.plus(take.times(level.effectivePrice));
    byVenue.set(terms, venue);
    remaining = remaining.minus(take);
  }
  return [...byVenue.values()];
}

function costOf(side: 'buy' | 'sell', venue: VenueAllocation): { notional: Decimal; fee: Decimal; total: Decimal } {
  let notional = new Dec(0);
  for (const take of venue.takes) notional = notional.plus(take.price.times(take.quantity));
  const fee = notional.times(venue.terms.feeRate);
  return { notional, fee, total: side === 'buy' ? notional.plus(fee) : notional.minus(fee) };
}

function childOrder(side: 'buy' | 'sell', venue: VenueAllocation): ChildOrder {
  const { notional, fee, total } = costOf(side, venue);
  let worst = venue.takes[0]?.price ?? new Dec(0);
  for (const take of venue.takes) worst = side === 'buy' ? Dec.max(worst, take.price) : Dec.min(worst, take.price);
  return {
    venue: venue.terms.venue,
    quantity: plain(venue.quantity),
    limitPrice: plain(worst),
    expectedAveragePrice: average(notional, venue.quantity),
    expectedFee: plain(fee),
    expectedCost: plain(total),
  };
}

/** Whether `candidate` beats `current`: it fills more, or the same quantity at a better total. */
function fillsBetter(side: 'buy' | 'sell', candidate: Allocation, current: Allocation): boolean {
  const byQuantity = candidate.quantity.cmp(current.quantity);
  if (byQuantity !== 0) return byQuantity > 0;
  return side === 'buy' ? candidate.total.lt(current.total) : candidate.total.gt(current.total);
}

interface SingleVenueFill {
  readonly venue: string;
  readonly quantity: Decimal;
  readonly total: Decimal;
}

function bestSingle(side: 'buy' | 'sell', filled: Decimal, alone: readonly Allocation[]): SingleVenueFill | null {
  const fills: SingleVenueFill[] = [];
  for (const allocation of alone) {
    const [venue] = allocation.venues;
    if (venue !== undefined) fills.push({ venue: venue.terms.venue, quantity: allocation.quantity, total: allocation.total });
  }
  const whole = fills.filter((fill) => fill.quantity.eq(filled));
  const candidates = (whole.length > 0 ? whole : fills).sort((a, b) => (a.venue < b.venue ? -1 : a.venue > b.venue ? 1 : 0));
  let best: SingleVenueFill | null = null;
  for (const candidate of candidates) {
    if (best === null) {
      best = candidate;
      continue;
    }
    // Compare averages without dividing: total_a / q_a against total_b / q_b.
    const byAverage = candidate.total.times(best.quantity).cmp(best.total.times(candidate.quantity));
    const better = side === 'buy' ? byAverage < 0 : byAverage > 0;
    if (better || (byAverage === 0 && candidate.quantity.gt(best.quantity))) best = candidate;
  }
  return best;
}

function average(total: Decimal, quantity: Decimal): string {
  return plain(total.div(quantity).toDecimalPlaces(AVERAGE_DECIMALS, Decimal.ROUND_HALF_EVEN));
}

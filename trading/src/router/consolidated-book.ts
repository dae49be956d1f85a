import { plain } from './decimal.ts';
import { type ParsedVenueBook, type PricedLevel, parseVenueBooks, type VenueBook } from './venue-book.ts';

export interface ConsolidatedLevel {
  readonly venue: string;
  readonly price: string;
  readonly quantity: string;
  /** Bids: price × (1 − fee), what a seller nets. Asks: price × (1 + fee), what a buyer pays. */
  readonly effectivePrice: string;
}

/** Every venue's levels in one book, best effective price first. */
export interface ConsolidatedBook {
  readonly bids: ConsolidatedLevel[];
  readonly asks: ConsolidatedLevel[];
}

/**
 * Merges venue books into one, ranked by fee-adjusted price: bids highest first, asks lowest first.
 * Equal effective prices are ordered by venue name (code-unit order, not locale), then by each venue's
 * own order, so the same books always give the same book.
 */
export function consolidateBook(books: readonly VenueBook[]): ConsolidatedBook {
  const venues = parseVenueBooks(books);
  const render = (level: PricedLevel): ConsolidatedLevel => ({
    venue: level.terms.venue,
    price: plain(level.price),
    quantity: plain(level.quantity),
    effectivePrice: plain(level.effectivePrice),
  });
  return { bids: consolidateLevels(venues, 'bids').map(render), asks: consolidateLevels(venues, 'asks').map(render) };
}

export function consolidateLevels(venues: readonly ParsedVenueBook[], side: 'bids' | 'asks'): PricedLevel[] {
  const levels = venues.flatMap((venue) => venue[side]);
  // Array#sort is stable, so levels that tie on price and venue keep the venue's own order.
  return levels.sort((a, b) => {
    const byPrice = side === 'asks' ? a.effectivePrice.cmp(b.effectivePrice) : b.effectivePrice.cmp(a.effectivePrice);
    if (byPrice !== 0) return byPrice;
    return a.terms.venue < b.terms.venue ? -1 : a.terms.venue > b.terms.venue ? 1 : 0;
  });
}

import type { Decimal } from 'decimal.js';
import { Dec, readDecimal } from './decimal.ts';
import { InvalidVenueBookError } from './errors.ts';

/** One price level: [price, quantity] as decimal strings. */
export type BookLevel = readonly [price: string, quantity: string];

/** One venue's view of an instrument, with the tenant's balances and the venue's trading rules there. */
export interface VenueBook {
  readonly venue: string;
  /** Best first. */
  readonly bids: readonly BookLevel[];
  /** Best first. */
  readonly asks: readonly BookLevel[];
  readonly takerFeeBps: string;
  /** The tenant's balances at this venue: a buy is limited by quote (fees included), a sell by base. Absent: unlimited. */
  readonly available?: { readonly base: string; readonly quote: string };
  readonly minQuantity?: string;
  /** The lot: a child's quantity is a whole number of these. */
  readonly quantityIncrement?: string;
}

/** A venue's terms, parsed once. */
export interface VenueTerms {
  readonly venue: string;
  /** The taker fee as a fraction: 10 bps is 0.001. */
  readonly feeRate: Decimal;
  readonly availableBase: Decimal | null;
  readonly availableQuote: Decimal | null;
  readonly minQuantity: Decimal | null;
  readonly quantityIncrement: Decimal | null;
}

/** A book level with its venue and its fee-adjusted price. */
export interface PricedLevel {
  readonly terms: VenueTerms;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly effectivePrice: Decimal;
}

export interface ParsedVenueBook {
  readonly terms: VenueTerms;
  readonly bids: readonly PricedLevel[];
  readonly asks: readonly PricedLevel[];
}

/**
 * Validates and parses venue books. Levels with a zero quantity (a venue's "level removed") are dropped.
 * Effective prices: a buy pays price × (1 + fee), a sell receives price × (1 − fee).
 */
export function parseVenueBooks(books: readonly VenueBook[]): ParsedVenueBook[] {
  const seen = new Set<string>();
  return books.map((book) => {
    const venue = book.venue;
    if (typeof venue !== 'string' || venue === '') throw new InvalidVenueBookError(String(venue), 'the venue name is empty');
    if (seen.has(venue)) throw new InvalidVenueBookError(venue, 'the venue appears twice');
    seen.add(venue);

    const read = (text: unknown, field: string, rule: (value: Decimal) => boolean, ruleText: string): Decimal => {
      const value = readDecimal(text);
      if (value === null) throw new InvalidVenueBookError(venue, `${field} must be a plain decimal string, got ${String(text)}`);
      if (!rule(value)) throw new InvalidVenueBookError(venue, `${field} must be ${ruleText}, got ${String(text)}`);
      return value;
    };
    const positive = (value: Decimal) => value.gt(0);
    const nonNegative = (value: Decimal) => value.gte(0);

    const feeBps = read(book.takerFeeBps, 'takerFeeBps', (value) => value.gte(0) && value.lt(10_000), 'from 0 to below 10000');
    const terms: VenueTerms = {
      venue,
      feeRate: feeBps.div(10_000),
      availableBase: book.available === undefined ? null : read(book.available.base, 'available.base', nonNegative, 'zero or more'),
      availableQuote: book.available === undefined ? null : read(book.available.quote, 'available.quote', nonNegative, 'zero or more'),
      minQuantity: book.minQuantity === undefined ? null : read(book.minQuantity, 'minQuantity', nonNegative, 'zero or more'),
      quantityIncrement:
        book.quantityIncrement === undefined ? null : read(book.quantityIncrement, 'quantityIncrement', positive, 'positive'),
    };

    const levels = (side: 'bids' | 'asks'): PricedLevel[] => {
      const feeFactor = side === 'asks' ? new Dec(1).plus(terms.feeRate) : new Dec(1).minus(terms.feeRate);
      const parsed: PricedLevel[] = [];
      book[side].forEach(([priceText, quantityText], index) => {
        const price = read(priceText, `${side}[${index}].price`, positive, 'positive');
        const quantity = read(quantityText, `${side}[${index}].quantity`, nonNegative, 'zero or more');
        if (!quantity.isZero()) parsed.push({ terms, price, quantity, effectivePrice: price.times(feeFactor) });
      });
      return parsed;
    };
    return { terms, bids: levels('bids'), asks: levels('asks') };
  });
}

import createError from '@fastify/error';

export const UnknownInstrumentError = createError('TRD_ERR_UNKNOWN_INSTRUMENT', 'Unknown instrument %s', 422);
export const InstrumentNotOnVenueError = createError('TRD_ERR_INSTRUMENT_NOT_ON_VENUE', 'Instrument %s is not traded on venue %s', 422);

export type VenueId = 'paper' | 'binance' | 'coinbase' | 'kraken';

export interface Instrument {
  /** Unified id, `BASE-QUOTE`, the same on every door. */
  id: string;
  base: string;
  quote: string;
  /** Price increment and quantity increment on the paper venue, decimal strings. */
  tickSize: string;
  lotSize: string;
  /** Smallest order value in the quote currency. */
  minNotional: string;
  /** Digital Token Identifier (ISO 24165) of the base asset, for MiFIR/MiCA reports; null when unknown. */
  dti: string | null;
  isin: string | null;
  /** The venue's own symbol for this instrument. */
  venues: Partial<Record<VenueId, string>>;
}

// Reference data, reviewed with the code that depends on it. DTIs from the DTI Foundation registry.
const INSTRUMENTS: readonly Instrument[] = [
  {
    id: 'BTC-USD',
    base: 'BTC',
    quote: 'USD',
    tickSize: '0.1',
    lotSize: '0.00001',
    minNotional: '1',
    dti: '4H95J0R2X',
    isin: null,
    venues: { paper: 'BTC-USD', kraken: 'BTC/USD' },
  },
  {
    id: 'BTC-USDT',
    base: 'BTC',
    quote: 'USDT',
    tickSize: '0.01',
    lotSize: '0.00001',
    minNotional: '5',
    dti: '4H95J0R2X',
    isin: null,
    venues: { paper: 'BTC-USDT', binance: 'BTC/USDT', coinbase: 'BTC/USDT', kraken: 'BTC/USDT' },
  },
  {
    id: 'ETH-USDT',
    base: 'ETH',
    quote: 'USDT',
    tickSize: '0.01',
    lotSize: '0.0001',
    minNotional: '5',
    dti: 'X9J9K872S',
    isin: null,
    venues: { paper: 'ETH-USDT', binance: 'ETH/USDT', coinbase: 'ETH/USDT', kraken: 'ETH/USDT' },
  },
  {
    id: 'LTC-USDT',
    base: 'LTC',
    quote: 'USDT',
    tickSize: '0.01',
    lotSize: '0.001',
    minNotional: '5',
    dti: null,
    isin: null,
    venues: { paper: 'LTC-USDT', binance: 'LTC/USDT', kraken: 'LTC/USDT' },
  },
];

const BY_ID = new Map(INSTRUMENTS.map((instrument) => [instrument.id, instrument]));

export function listInstruments(): readonly Instrument[] {
  return INSTRUMENTS;
}

export function getInstrument(id: string): Instrument {
  const instrument = BY_ID.get(id);
  if (!instrument) throw new UnknownInstrumentError(id);
  return instrument;
}

export function venueSymbol(instrument: Instrument, venue: VenueId): string {
  const symbol = instrument.venues[venue];
  if (!symbol) throw new InstrumentNotOnVenueError(instrument.id, venue);
  return symbol;
}

import type { Exchange, Market } from 'ccxt';
import { type PrecisionMode, precisionModeFromCcxt } from '../../precision.ts';
import type { VenueMarket } from '../types.ts';
import { readCcxtDecimal } from './fields.ts';

// One entry per exchange instance: ccxt already keeps its markets on the instance, we keep our mapping
// next to it. A failed load is dropped so the next call tries again; ccxt keeps its rejected promise
// until asked to reload, hence `failedBefore`.
const marketsByExchange = new WeakMap<Exchange, Promise<ReadonlyMap<string, VenueMarket>>>();
const failedBefore = new WeakSet<Exchange>();

/** Spot markets of the exchange by unified symbol, loaded from the venue once per exchange instance. */
export function loadVenueMarkets(exchange: Exchange): Promise<ReadonlyMap<string, VenueMarket>> {
  let loading = marketsByExchange.get(exchange);
  if (loading === undefined) {
    loading = exchange.loadMarkets(failedBefore.has(exchange)).then((markets) => {
      failedBefore.delete(exchange);
      const mode = precisionModeFromCcxt(exchange.precisionMode);
      const spot = Object.values(markets).filter((market): market is NonNullable<Market> => market?.spot === true);
      return new Map(spot.map((market) => [String(market.symbol), toVenueMarket(market, mode)]));
    });
    marketsByExchange.set(exchange, loading);
    loading.catch(() => {
      marketsByExchange.delete(exchange);
      failedBefore.add(exchange);
    });
  }
  return loading;
}

/** A ccxt unified market as ours; `precisionMode` is the exchange's (`exchange.precisionMode`). */
export function toVenueMarket(market: NonNullable<Market>, precisionMode: PrecisionMode): VenueMarket {
  const symbol = String(market.symbol);
  const read = (value: unknown, field: string) => readCcxtDecimal(value, `${symbol} ${field}`);
  return {
    symbol,
    venueSymbol: String(market.id),
    base: String(market.base),
    quote: String(market.quote),
    // ccxt leaves active undefined when the venue does not say; only an explicit false closes a market.
    active: market.active !== false,
    precisionMode,
    precision: { amount: read(market.precision?.amount, 'precision.amount'), price: read(market.precision?.price, 'precision.price') },
    limits: {
      amount: { min: read(market.limits?.amount?.min, 'limits.amount.min'), max: read(market.limits?.amount?.max, 'limits.amount.max') },
      price: { min: read(market.limits?.price?.min, 'limits.price.min'), max: read(market.limits?.price?.max, 'limits.price.max') },
      cost: { min: read(market.limits?.cost?.min, 'limits.cost.min'), max: read(market.limits?.cost?.max, 'limits.cost.max') },
    },
  };
}

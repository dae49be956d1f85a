import { LRUCache } from 'lru-cache';

export interface ReadThroughCache<V> {
  /** The cached value, or the one read in flight for this key, or a new read. */
  get(key: string): Promise<V>;
  /** Drops the entry; a read already in flight answers its waiters but does not refill it. */
  forget(key: string): void;
}

/**
 * A TTL cache whose misses are read once: the requests that miss the same key
 * together share one read. Without that, every request in flight when an entry
 * expired read it again, each in a transaction of its own, in a burst every TTL
 * per key (measured under the order-entry benchmark: about 1,850 reads in a run
 * that needed about two hundred).
 */
export function readThroughCache<V>(options: { ttlMs: number; max?: number; load(key: string): Promise<V> }): ReadThroughCache<V> {
  const values = new LRUCache<string, { value: V }>({ max: options.max ?? 50_000, ttl: options.ttlMs });
  const inFlight = new Map<string, Promise<V>>();
  return {
    async get(key) {
      const hit = values.get(key);
      if (hit) return hit.value;
      const pending = inFlight.get(key);
      if (pending) return pending;
      const read = options.load(key).then(
        (value) => {
          if (inFlight.get(key) === read) {
            inFlight.delete(key);
            values.set(key, { value });
          }
          return value;
        },
        (error: unknown) => {
          if (inFlight.get(key) === read) inFlight.delete(key);
          throw error;
        },
      );
      inFlight.set(key, read);
      return read;
    },
    forget(key) {
      values.delete(key);
      inFlight.delete(key);
    },
  };
}

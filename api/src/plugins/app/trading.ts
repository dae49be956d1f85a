import { createHash } from 'node:crypto';
import { checkPreTrade } from '@atrium/risk';
import {
  applyPaperTick,
  createCcxtVenue,
  createPaperVenue,
  loadVenueKeys,
  type OrderServices,
  type PaperVenue,
  reconcileUnknownOrders,
  restorePaperBooks,
  type VenueAdapter,
  VenueKeysNotFoundError,
  VenueNotConfiguredError,
} from '@atrium/trading';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { LRUCache } from 'lru-cache';

declare module 'fastify' {
  interface FastifyInstance {
    orderServices: OrderServices;
    vaultMasterKey: Buffer;
    /** After keys change: the next order opens them again. */
    forgetVenue(tenantId: string, accountId: string, venue: string): void;
  }
}

/** Development and tests only (config refuses to start production without ATRIUM_VAULT_MASTER_KEY). */
const DEVELOPMENT_VAULT_KEY = createHash('sha256').update('atrium development vault key, never for production').digest();

export interface TradingOptions {
  /** 32 bytes: the vault master key that seals tenants' venue keys. */
  vaultMasterKey?: Buffer;
  /** The paper venue; tests pass one whose synthetic market holds still. */
  paper?: PaperVenue;
  /** How often GTD expiries and market moves are applied between requests; 0 turns it off. */
  tickIntervalMs?: number;
  /** How often orders left 'unknown' are looked up at their venues; 0 turns it off. */
  reconcileIntervalMs?: number;
  /** Load the paper books that have open orders in the record when the app gets ready (default true; false only where no database is reachable). */
  restorePaperBooks?: boolean;
  /**
   * How often this process puts back to quotes its paper copies another replica has overtaken,
   * and takes up books with open orders that no copy here holds and whose record has not changed
   * for two such intervals (default 30 s; 0 turns it off, as does a tickIntervalMs of 0): a book
   * whose last replica went away (a scale-down) ticks again within about three intervals.
   */
  adoptIntervalMs?: number;
}

/** The order path's collaborators, shared by REST and GraphQL (and FIX later). */
export default fp(
  async (app: FastifyInstance, options: TradingOptions) => {
    const masterKey = options.vaultMasterKey ?? DEVELOPMENT_VAULT_KEY;
    const venues = new LRUCache<string, VenueAdapter>({ max: 1000, ttl: 10 * 60_000 });
    const services: OrderServices = {
      paper: options.paper ?? createPaperVenue(),
      preTrade: checkPreTrade,
      // A ccxt adapter per account and venue, with the account's keys opened only in memory; markets stay cached with it.
      venueFor: async (tenantId, accountId, venue) => {
        const key = `${tenantId}|${accountId}|${venue}`;
        let adapter = venues.get(key);
        if (!adapter) {
          const credentials = await app.db
            .withTenant(tenantId, (tx) => loadVenueKeys(tx, masterKey, accountId, venue))
            .catch((error) => {
              throw error instanceof VenueKeysNotFoundError ? new VenueNotConfiguredError(venue) : error;
            });
          adapter = createCcxtVenue({ exchange: venue, credentials });
          venues.set(key, adapter);
        }
        return adapter;
      },
    };
    app.decorate('vaultMasterKey', masterKey);
    app.decorate(
      'forgetVenue',
      (tenantId: string, accountId: string, venue: string) => void venues.delete(`${tenantId}|${accountId}|${venue}`),
    );
    app.decorate('orderServices', services);
    /** Runs `task` every `ms` (0: never), one run at a time, until the app closes. */
    const every = (ms: number, what: string, task: () => Promise<unknown>) => {
      if (ms <= 0) return;
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        task()
          .catch((err) => app.log.error({ err }, `${what} failed`))
          .finally(() => {
            running = false;
          });
      }, ms);
      timer.unref();
      app.addHook('preClose', async () => clearInterval(timer));
    };
    // Resting paper orders from before a restart are back in their books before the first request.
    if (options.restorePaperBooks !== false)
      app.addHook('onReady', async () => {
        const { books, failed } = await restorePaperBooks(app.db, services, Date.now());
        if (books > 0) app.log.info({ books }, 'paper books restored from the record');
        for (const { tenantId, error } of failed) app.log.error({ err: error, tenantId }, 'paper books of a tenant could not be restored');
      });
    every(options.tickIntervalMs ?? 1000, 'paper venue tick', () => applyPaperTick(app.db, services, Date.now()));
    const adoptEvery = options.adoptIntervalMs ?? (options.tickIntervalMs === 0 ? 0 : 30_000);
    every(adoptEvery, 'adopting paper books', async () => {
      // A book idle for two rounds is not being changed by another replica: taken up here, it ticks again.
      const { failed } = await restorePaperBooks(app.db, services, Date.now(), { idleForMs: 2 * adoptEvery });
      for (const { tenantId, error } of failed) app.log.error({ err: error, tenantId }, 'paper books of a tenant could not be adopted');
    });
    every(options.reconcileIntervalMs ?? options.tickIntervalMs ?? 30_000, 'reconciling unknown orders', async () => {
      const tenants = await app.db.withPlatform((tx) => tx<{ id: string }[]>`select id from tenants where status = 'active' order by id`);
      for (const { id } of tenants) await reconcileUnknownOrders(app.db, id, services);
    });
  },
  { name: 'trading', dependencies: ['database'] },
);

import { checkPreTrade } from '@atrium/risk';
import { applyPaperTick, createPaperVenue, type OrderServices, type PaperVenue } from '@atrium/trading';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    orderServices: OrderServices;
  }
}

export interface TradingOptions {
  /** The paper venue; tests pass one whose synthetic market holds still. */
  paper?: PaperVenue;
  /** How often GTD expiries and market moves are applied between requests; 0 turns it off. */
  tickIntervalMs?: number;
}

/** The order path's collaborators, shared by REST and GraphQL (and FIX later). */
export default fp(
  async (app: FastifyInstance, options: TradingOptions) => {
    const services: OrderServices = { paper: options.paper ?? createPaperVenue(), preTrade: checkPreTrade };
    app.decorate('orderServices', services);
    const interval = options.tickIntervalMs ?? 1000;
    if (interval > 0) {
      let running = false;
      const timer = setInterval(() => {
        if (running) return;
        running = true;
        applyPaperTick(app.db, services, Date.now())
          .catch((err) => app.log.error({ err }, 'paper venue tick failed'))
          .finally(() => {
            running = false;
          });
      }, interval);
      timer.unref();
      app.addHook('preClose', async () => clearInterval(timer));
    }
  },
  { name: 'trading', dependencies: ['database'] },
);

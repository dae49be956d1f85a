import type { Database } from '@atrium/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

/** The pool is created by the caller (start.ts or a test) and closed with the app. */
export default fp(
  async (app: FastifyInstance, options: { db: Database; closeWithApp: boolean }) => {
    app.decorate('db', options.db);
    if (options.closeWithApp) app.addHook('onClose', () => options.db.close());
  },
  { name: 'database' },
);

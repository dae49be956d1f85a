import { type AuditSealer, startAuditSealer } from '@atrium/compliance';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyInstance {
    auditSealer: AuditSealer | null;
  }
}

/** Seals committed audit events into each tenant's hash chain, off the request path. */
export default fp(
  async (app: FastifyInstance, options: { enabled: boolean }) => {
    if (!options.enabled) {
      app.decorate('auditSealer', null);
      return;
    }
    const sealer = startAuditSealer(app.db, { onError: (err) => app.log.error({ err }, 'audit sealing failed') });
    app.decorate('auditSealer', sealer);
    app.addHook('preClose', () => sealer.stop());
  },
  { name: 'audit-sealer', dependencies: ['database'] },
);

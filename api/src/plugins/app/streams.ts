import { BOOK_CHANNEL, EXECUTION_CHANNEL, ORDER_CHANNEL } from '@atrium/trading';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Order activity reaches subscribers in every API process: the engine sends
 * it with pg_notify inside its transaction (so only committed changes go
 * out), and each process LISTENs and republishes to its own GraphQL
 * subscribers, on topics scoped by tenant.
 */
export default fp(
  async (app: FastifyInstance) => {
    const topics: [string, (payload: Record<string, string>) => string][] = [
      [ORDER_CHANNEL, (p) => `orders:${p.tenantId}`],
      [EXECUTION_CHANNEL, (p) => `executions:${p.tenantId}`],
      [BOOK_CHANNEL, (p) => `books:${p.tenantId}:${p.instrument}`],
    ];
    const listeners: { unlisten(): Promise<void> }[] = [];
    app.addHook('onReady', async () => {
      for (const [channel, topicOf] of topics) {
        listeners.push(
          await app.db.listen(channel, (raw) => {
            try {
              const payload = JSON.parse(raw) as Record<string, string>;
              if (!payload.tenantId) return;
              void app.graphql.pubsub.publish({ topic: topicOf(payload), payload });
            } catch (err) {
              app.log.error({ err, channel }, 'undeliverable notification');
            }
          }),
        );
      }
    });
    app.addHook('preClose', async () => {
      await Promise.all(listeners.map((listener) => listener.unlisten().catch(() => {})));
    });
  },
  { name: 'streams', dependencies: ['database', 'graphql'] },
);

import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';

/** Listens, and closes with grace on SIGINT/SIGTERM: server, then pool, then whatever `cleanup` stops. */
export async function listen(app: FastifyInstance, options: { host: string; port: number; cleanup?: () => Promise<void> }) {
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    await options.cleanup?.();
  });
  await app.listen({ host: options.host, port: options.port });
}

// The real gateway, as npm start builds it, minus request logging (as the baselines have none).
import { buildApp } from '@atrium/api/app';
import { createDatabase } from '@atrium/db';

const env = process.env as Record<string, string>;
const db = createDatabase({ url: env.BENCH_APP_URL, poolSize: Number(env.BENCH_POOL_SIZE ?? 10) });
const app = await buildApp({ db, devTenantHeader: true, graphiql: false, sealAuditEvents: true, logger: false });
await app.listen({ host: '127.0.0.1', port: Number(env.BENCH_PORT) });
process.send?.('ready');
process.on('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});

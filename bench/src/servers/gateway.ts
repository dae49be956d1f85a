// The real gateway, as npm start builds it (development issuer in-process), minus request logging
// (the baselines have none). With BENCH_SKIP_AUTH=1 the token verifier is replaced by one that
// trusts every call as the bench trader: the "authentication skipped" comparison, bench-only.
import { buildApp } from '@atrium/api/app';
import { createDatabase } from '@atrium/db';
import type { Principal, TokenVerifier } from '@atrium/tenants';
import { createPaperVenue } from '@atrium/trading';

const env = process.env as Record<string, string>;
const db = createDatabase({ url: env.BENCH_APP_URL, poolSize: Number(env.BENCH_POOL_SIZE ?? 10) });
const port = Number(env.BENCH_PORT);
const trader: Principal = {
  subject: 'bench-trader',
  clientId: 'bench-trader',
  tenantId: env.BENCH_TENANT_ID,
  resellerId: null,
  roles: new Set(['trader', 'tenant-admin']),
  expiresAt: Number.MAX_SAFE_INTEGER,
};
const trusting: TokenVerifier = { verify: async () => trader, jwksUri: async () => 'none' };
const app = await buildApp({
  db,
  ...(env.BENCH_SKIP_AUTH === '1'
    ? { verifier: trusting }
    : {
        devIssuer: {
          baseUrl: `http://127.0.0.1:${port}`,
          accessTokenTtlSeconds: 3600,
          clients: [
            { clientId: 'bench-trader', secret: 'bench-secret', tenantId: env.BENCH_TENANT_ID, roles: ['trader', 'tenant-admin'] },
            // Order-entry load: one trader per bench tenant (BENCH_TRADER_TENANTS, comma-separated ids).
            ...(env.BENCH_TRADER_TENANTS ?? '')
              .split(',')
              .filter(Boolean)
              .map((tenantId, i) => ({ clientId: `bench-trader-${i}`, secret: 'bench-secret', tenantId, roles: ['trader'] })),
          ],
        },
      }),
  graphiql: false,
  sealAuditEvents: true,
  logger: false,
  // Orders rest where they are placed: a still synthetic market keeps the load the same in every run.
  trading: { paper: createPaperVenue({ stepIntervalMs: Number.POSITIVE_INFINITY }), tickIntervalMs: 0 },
});
await app.listen({ host: '127.0.0.1', port });
process.send?.('ready');
process.on('SIGTERM', async () => {
  await app.close();
  process.exit(0);
});

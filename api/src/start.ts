// `npm start`: the API on embedded defaults, or on DATABASE_URL when set.
import path from 'node:path';
import { createDatabase, migrate, startEmbeddedPostgres, withSocket } from '@atrium/db';
import { createTokenVerifier } from '@atrium/tenants';
import pino from 'pino';
import { buildApp } from './app.ts';
import { readConfig } from './config.ts';
import { demoClients, seedDemoData } from './seed.ts';
import { listen } from './server.ts';

process.env.NODE_ENV ??= 'development';
const config = readConfig();
const log = pino({ level: config.logLevel });
const development = config.nodeEnv === 'development' || config.nodeEnv === 'test';

let stopEmbedded: (() => Promise<void>) | undefined;
let appUrl = config.databaseUrl;
let adminUrl = config.databaseAdminUrl;
if (!appUrl) {
  const started = Date.now();
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(config.dataDir, 'postgres'),
    port: config.embeddedPort,
    log: (line) => log.debug({ component: 'postgres' }, line),
  });
  stopEmbedded = () => embedded.stop();
  adminUrl = embedded.adminUrl;
  const url = new URL(embedded.adminUrl);
  url.username = 'atrium_app';
  url.password = config.appPassword;
  url.pathname = '/postgres';
  // The API's pool goes through the server's Unix socket (cheaper than loopback TCP); migrations use TCP.
  appUrl = withSocket(url.toString(), embedded.socketDir);
  log.info({ port: embedded.port, ms: Date.now() - started }, 'embedded PostgreSQL 15 started');
}

if (adminUrl) {
  const applied = await migrate({ adminUrl, appPassword: config.appPassword, log: (line) => log.info(line) });
  log.info({ applied: applied.length }, 'migrations up to date');
}

const db = createDatabase({ url: appUrl, ...config.pool });
const demo = development ? await seedDemoData(db) : null;

const app = await buildApp({
  db,
  ...(config.oidcIssuer
    ? {
        verifier: createTokenVerifier({
          issuer: config.oidcIssuer,
          audience: config.oidcAudience,
          apiClientId: config.oidcApiClientId,
          ...(config.oidcAllowedClients ? { allowedClients: config.oidcAllowedClients } : {}),
        }),
      }
    : { devIssuer: { baseUrl: config.publicUrl, clients: demo ? demoClients(demo) : [] } }),
  graphiql: development,
  ...(config.vaultMasterKey ? { trading: { vaultMasterKey: config.vaultMasterKey } } : {}),
  sealAuditEvents: true,
  logger: { level: config.logLevel },
});
await listen(app, { host: config.host, port: config.port, cleanup: stopEmbedded });
if (development) {
  log.info(
    `Atrium API on http://${config.host}:${config.port}  (docs: /docs, GraphQL: /graphql, dev tenant header: x-atrium-dev-tenant: acme)`,
  );
}

import type { Database } from '@atrium/db';
import { newId } from '@atrium/db';
import { createTokenVerifier, type TokenVerifier } from '@atrium/tenants';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import graphql from './graphql/plugin.ts';
import { REST_ACCESS } from './permissions.ts';
import auditSealer from './plugins/app/audit-sealer.ts';
import auth from './plugins/app/auth.ts';
import idempotency from './plugins/app/idempotency.ts';
import streams from './plugins/app/streams.ts';
import trading, { type TradingOptions } from './plugins/app/trading.ts';
import database from './plugins/external/database.ts';
import devIssuer, { API_AUDIENCE, type StaticClient } from './plugins/external/dev-issuer.ts';
import problem from './plugins/external/problem.ts';
import swagger from './plugins/external/swagger.ts';
import health from './routes/health.ts';
import accounts from './routes/v1/accounts.ts';
import adminTenants from './routes/v1/admin-tenants.ts';
import apiClients from './routes/v1/api-clients.ts';
import auditEvents from './routes/v1/audit-events.ts';
import branding from './routes/v1/branding.ts';
import orders from './routes/v1/orders.ts';
import portfolio from './routes/v1/portfolio.ts';
import resellerTenants from './routes/v1/reseller-tenants.ts';
import tenant from './routes/v1/tenant.ts';
import venueKeys from './routes/v1/venue-keys.ts';
import { validatorCompiler } from './validation.ts';

export interface AppOptions {
  db: Database;
  /** Close the pool when the app closes (the server owns it; tests may share one). */
  closeDatabase?: boolean;
  /** Verifies access tokens; built from `devIssuer` when absent. */
  verifier?: TokenVerifier;
  /** Development/test only: run the OIDC issuer in this server, reachable at baseUrl. */
  devIssuer?: { baseUrl: string; clients: StaticClient[]; accessTokenTtlSeconds?: number };
  graphiql: boolean;
  sealAuditEvents: boolean;
  trading?: TradingOptions;
  /** LISTEN for order activity to feed GraphQL subscriptions (default on; off to describe the API without a database). */
  streams?: boolean;
  logger?: FastifyServerOptions['logger'];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The whole API as one plugin tree; server.ts only listens, tests build this. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // A caller's request id is kept when it is safe to log; otherwise ours (UUIDv7).
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    },
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    connectionTimeout: 30_000,
    keepAliveTimeout: 72_000,
    requestTimeout: 30_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Tier 1: external concerns.
  await app.register(problem);
  await app.register(database, { db: options.db, closeWithApp: options.closeDatabase ?? true });
  await app.register(swagger);
  if (options.devIssuer) await app.register(devIssuer, { db: options.db, ...options.devIssuer });
  // Tier 2: domain services.
  const verifier =
    options.verifier ??
    (app.devIssuer ? createTokenVerifier({ issuer: app.devIssuer.issuer, audience: API_AUDIENCE, jwksCooldownMs: 1000 }) : undefined);
  if (!verifier) throw new Error('an access-token verifier (OIDC_ISSUER) or the development issuer is required');
  await app.register(auth, { verifier });
  await app.register(idempotency);
  await app.register(trading, options.trading ?? {});
  await app.register(auditSealer, { enabled: options.sealAuditEvents });
  // Tier 3: routes. Every operation has an entry in permissions.ts and every entry a route,
  // checked at start-up; the entry is enforced before the handler runs.
  const declared = new Set<string>();
  app.addHook('onRoute', (route) => {
    const operationId = (route.schema as { operationId?: string } | undefined)?.operationId;
    if (operationId) declared.add(operationId);
    if (route.url.startsWith('/v1/') && (!operationId || !REST_ACCESS[operationId])) {
      throw new Error(`${route.method} ${route.url} has no entry in permissions.ts`);
    }
  });
  app.addHook('onReady', async () => {
    const orphans = Object.keys(REST_ACCESS).filter((operationId) => !declared.has(operationId));
    if (orphans.length) throw new Error(`permissions.ts names operations with no route: ${orphans.join(', ')}`);
  });
  app.addHook('onRequest', async (request, reply) => {
    const operationId = (request.routeOptions.schema as { operationId?: string } | undefined)?.operationId;
    if (request.routeOptions.url === '/graphql') {
      // A websocket upgrade authenticates in connection_init (see graphql/plugin.ts).
      if (request.headers.upgrade?.toLowerCase() === 'websocket') return;
      await app.authenticate(request);
    } else if (operationId) {
      const access = REST_ACCESS[operationId];
      if (!access) throw new Error(`no access rule for ${operationId}`);
      if (access.scope === 'public') return;
      await app.authenticate(request);
      app.authorize(request, access);
    } else {
      return;
    }
    // The completion log line comes from reply.log: carry the tenant there too.
    reply.log = request.log;
  });
  await app.register(health);
  // GraphQL is described by its own SDL (introspection), not by OpenAPI.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/graphql') || route.url.startsWith('/graphiql')) route.schema = { ...route.schema, hide: true };
  });
  await app.register(graphql, { graphiql: options.graphiql });
  if (options.streams !== false) await app.register(streams);
  await app.register(
    async (v1) => {
      await v1.register(tenant);
      await v1.register(accounts);
      await v1.register(auditEvents);
      await v1.register(apiClients);
      await v1.register(orders);
      await v1.register(portfolio);
      await v1.register(venueKeys);
      await v1.register(resellerTenants);
      await v1.register(adminTenants);
      await v1.register(branding);
    },
    { prefix: '/v1' },
  );
  return app;
}

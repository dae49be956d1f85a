import type { Database } from '@atrium/db';
import { newId } from '@atrium/db';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import graphql from './graphql/plugin.ts';
import auditSealer from './plugins/app/audit-sealer.ts';
import tenantContext from './plugins/app/tenant-context.ts';
import database from './plugins/external/database.ts';
import problem from './plugins/external/problem.ts';
import swagger from './plugins/external/swagger.ts';
import health from './routes/health.ts';
import accounts from './routes/v1/accounts.ts';
import auditEvents from './routes/v1/audit-events.ts';
import tenant from './routes/v1/tenant.ts';
import { validatorCompiler } from './validation.ts';

export interface AppOptions {
  db: Database;
  /** Close the pool when the app closes (the server owns it; tests may share one). */
  closeDatabase?: boolean;
  /** Development/test only: the tenant from a header. */
  devTenantHeader: boolean;
  graphiql: boolean;
  sealAuditEvents: boolean;
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
  // Tier 2: domain services.
  await app.register(tenantContext, { devTenantHeader: options.devTenantHeader });
  await app.register(auditSealer, { enabled: options.sealAuditEvents });
  // Tier 3: routes. Everything under /v1 and /graphql is authenticated.
  await app.register(health);
  await app.register(async (protectedScope) => {
    protectedScope.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.url?.startsWith('/graphiql')) return;
      await app.authenticate(request);
      // The completion log line comes from reply.log: carry the tenant there too.
      reply.log = request.log;
    });
    // GraphQL is described by its own SDL (introspection), not by OpenAPI.
    protectedScope.addHook('onRoute', (route) => {
      if (route.url.startsWith('/graphql') || route.url.startsWith('/graphiql')) route.schema = { ...route.schema, hide: true };
    });
    await protectedScope.register(graphql, { graphiql: options.graphiql });
    await protectedScope.register(
      async (v1) => {
        await v1.register(tenant);
        await v1.register(accounts);
        await v1.register(auditEvents);
      },
      { prefix: '/v1' },
    );
  });
  return app;
}

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const API_VERSION = '0.1.0';

/** OpenAPI 3.1 from the route schemas; the reference is served at /docs. */
export default fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Atrium API',
          version: API_VERSION,
          description:
            'Multi-tenant institutional crypto trading. Decimals are strings, times are RFC 3339 UTC with microseconds, ids are UUIDv7, errors are RFC 9457 problem details with a stable `code`.',
        },
        servers: [{ url: '/' }],
        components: {
          securitySchemes: {
            bearer: {
              type: 'http',
              scheme: 'bearer',
              bearerFormat: 'JWT',
              description: 'An OIDC access token from the Atrium realm (Keycloak), client-credentials for machines',
            },
          },
        },
        security: [{ bearer: [] }],
        tags: [
          { name: 'tenant', description: 'The caller’s tenant' },
          { name: 'accounts', description: 'Trading accounts' },
          { name: 'orders', description: 'Orders, executions and the paper venue' },
          { name: 'audit', description: 'The tamper-evident audit trail' },
          { name: 'identity', description: 'Machine clients (OAuth client credentials)' },
          { name: 'reseller', description: 'White-label tenants of a reseller' },
          { name: 'admin', description: 'Platform administration' },
          { name: 'branding', description: 'Public tenant themes' },
          { name: 'health', description: 'Probes' },
        ],
      },
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  },
  { name: 'swagger' },
);

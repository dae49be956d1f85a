import { createApiClient, listApiClients, revokeApiClient } from '@atrium/tenants';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditContextOf, tenantOf } from '../../plugins/app/auth.ts';
import { IdParams, ListQuery, Page } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';
import { ApiClientSchema, CreateApiClientBody, CreatedApiClientSchema } from '../../schemas/white-label.ts';

const apiClients: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api-clients',
    {
      schema: {
        tags: ['identity'],
        summary: 'The tenant’s machine clients',
        operationId: 'listApiClients',
        querystring: ListQuery,
        response: { 200: Page(ApiClientSchema), ...problemResponses },
      },
    },
    async (request) => app.db.withTenant(tenantOf(request), (tx) => listApiClients(tx, request.query)),
  );

  app.post(
    '/api-clients',
    {
      schema: {
        tags: ['identity'],
        summary: 'Create a machine client (client-credentials); the secret is returned once',
        operationId: 'createApiClient',
        body: CreateApiClientBody,
        response: { 201: CreatedApiClientSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const created = await app.db.withTenant(tenantOf(request), (tx) => createApiClient(tx, request.body, auditContextOf(request)));
      return reply.code(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.delete(
    '/api-clients/:id',
    {
      schema: {
        tags: ['identity'],
        summary: 'Revoke a machine client: its tokens stop working at once',
        operationId: 'revokeApiClient',
        params: IdParams,
        response: { 200: ApiClientSchema, ...problemResponses },
      },
    },
    async (request) => {
      const revoked = await app.db.withTenant(tenantOf(request), (tx) => revokeApiClient(tx, request.params.id, auditContextOf(request)));
      app.forgetApiClient(revoked.clientId);
      return revoked;
    },
  );
};

export default apiClients;

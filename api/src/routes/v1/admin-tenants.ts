import { getManagedTenant, listManagedTenants } from '@atrium/tenants';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { IdParams, ListQuery, Page } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';
import { ManagedTenantSchema } from '../../schemas/white-label.ts';

/** The platform operator's view: every tenant of every reseller. */
const adminTenants: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/admin/tenants',
    {
      schema: {
        tags: ['admin'],
        summary: 'All tenants',
        operationId: 'adminListTenants',
        querystring: ListQuery,
        response: { 200: Page(ManagedTenantSchema), ...problemResponses },
      },
    },
    async (request) => app.db.withPlatform((tx) => listManagedTenants(tx, request.query)),
  );
  app.get(
    '/admin/tenants/:id',
    {
      schema: {
        tags: ['admin'],
        summary: 'Any tenant',
        operationId: 'adminGetTenant',
        params: IdParams,
        response: { 200: ManagedTenantSchema, ...problemResponses },
      },
    },
    async (request) => app.db.withPlatform((tx) => getManagedTenant(tx, request.params.id)),
  );
};

export default adminTenants;

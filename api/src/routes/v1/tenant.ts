import { getTenant, TenantNotFoundError } from '@atrium/tenants';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { tenantOf } from '../../plugins/app/auth.ts';
import { problemResponses } from '../../schemas/problem.ts';
import { TenantSchema } from '../../schemas/tenant.ts';

const tenant: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/tenant',
    {
      schema: {
        tags: ['tenant'],
        summary: 'The caller’s tenant',
        operationId: 'getTenant',
        response: { 200: TenantSchema, ...problemResponses },
      },
    },
    async (request) => {
      const found = await app.db.withTenant(tenantOf(request), (tx) => getTenant(tx));
      if (!found) throw new TenantNotFoundError();
      return found;
    },
  );
};

export default tenant;

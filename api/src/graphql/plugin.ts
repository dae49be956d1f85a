import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import mercurius from 'mercurius';
import { auditContextOf, tenantOf } from '../plugins/app/tenant-context.ts';
import { toGraphQLExtensions } from './errors.ts';
import { type GraphQLContext, resolvers } from './resolvers.ts';
import { schema } from './schema.ts';

export interface GraphQLOptions {
  graphiql: boolean;
}

/** mercurius at /graphql: depth-limited, no batching, GraphiQL only in development. */
export default fp(
  async (app: FastifyInstance, options: GraphQLOptions) => {
    await app.register(mercurius, {
      schema,
      resolvers: resolvers as never, // mercurius' IResolvers type does not model our typed args
      path: '/graphql',
      graphiql: options.graphiql,
      queryDepth: 8,
      allowBatchedQueries: false,
      context: (request): GraphQLContext => ({ db: app.db, tenantId: tenantOf(request), audit: auditContextOf(request) }),
      errorFormatter: (execution, context) => {
        const requestId = (context as { reply?: { request?: { id?: string } } }).reply?.request?.id ?? 'unknown';
        const errors = (execution.errors ?? []).map((error) => ({ ...error.toJSON(), ...toGraphQLExtensions(error, requestId) }));
        // A GraphQL response with data is a 200 even when some fields failed; a document error is a 400.
        const statusCode = execution.data ? 200 : errors.some((e) => e.extensions.status === 400) ? 400 : 200;
        return { statusCode, response: { data: execution.data ?? null, errors } };
      },
    });
  },
  { name: 'graphql', dependencies: ['database', 'tenant-context'] },
);

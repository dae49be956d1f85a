import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { buildSchema, GraphQLError, type GraphQLResolveInfo } from 'graphql';
import mercurius from 'mercurius';
import { GRAPHQL_ACCESS } from '../permissions.ts';
import { toGraphQLExtensions } from './errors.ts';
import { type GraphQLContext, resolvers } from './resolvers.ts';
import { schema } from './schema.ts';

export interface GraphQLOptions {
  graphiql: boolean;
}

type Resolver = (parent: unknown, args: never, context: GraphQLContext, info: GraphQLResolveInfo) => unknown;

/** Every Query and Mutation field checks its permissions.ts entry before it resolves. */
function withAccessChecks(app: FastifyInstance, map: typeof resolvers) {
  // Every schema field needs a resolver and a rule: a field left to the default resolver would go unguarded.
  const executable = buildSchema(schema);
  for (const type of [executable.getQueryType(), executable.getMutationType(), executable.getSubscriptionType()]) {
    for (const field of Object.keys(type?.getFields() ?? {})) {
      const key = `${type?.name}.${field}`;
      const resolver = (map as unknown as Record<string, Record<string, unknown>>)[type?.name ?? '']?.[field];
      if (!resolver || !GRAPHQL_ACCESS[key]) throw new Error(`GraphQL field ${key} needs a resolver and an entry in permissions.ts`);
    }
  }
  const guarded: Record<string, unknown> = { ...map };
  for (const type of ['Query', 'Mutation'] as const) {
    const fields = map[type] as Record<string, Resolver>;
    guarded[type] = Object.fromEntries(
      Object.entries(fields).map(([field, resolve]) => {
        const access = GRAPHQL_ACCESS[`${type}.${field}`];
        if (!access) throw new Error(`GraphQL field ${type}.${field} has no entry in permissions.ts`);
        const checked: Resolver = (parent, args, context, info) => {
          app.authorize(context.request, access);
          return resolve(parent, args, context, info);
        };
        return [field, checked];
      }),
    );
  }
  // Subscriptions check when subscribing: the connection's token decides, once per subscription.
  const subscriptions = map.Subscription as Record<string, { subscribe: Resolver; resolve: (payload: never) => unknown }>;
  guarded.Subscription = Object.fromEntries(
    Object.entries(subscriptions).map(([field, { subscribe, resolve }]) => {
      const access = GRAPHQL_ACCESS[`Subscription.${field}`];
      if (!access) throw new Error(`GraphQL field Subscription.${field} has no entry in permissions.ts`);
      const checked: Resolver = (parent, args, context, info) => {
        try {
          app.authorize(context.request, access);
        } catch (error) {
          // Subscription errors bypass the error formatter: carry the same code in extensions here.
          const { message, extensions } = toGraphQLExtensions(
            new GraphQLError((error as Error).message, { originalError: error as Error }),
            'subscription',
          );
          throw new mercurius.ErrorWithProps(message, extensions);
        }
        return subscribe(parent, args, context, info);
      };
      return [field, { subscribe: checked, resolve }];
    }),
  );
  return guarded;
}

/** mercurius at /graphql: depth-limited, no batching, GraphiQL only in development. */
export default fp(
  async (app: FastifyInstance, options: GraphQLOptions) => {
    await app.register(mercurius, {
      schema,
      resolvers: withAccessChecks(app, resolvers) as never, // mercurius' IResolvers type does not model typed args
      path: '/graphql',
      graphiql: options.graphiql,
      queryDepth: 8,
      allowBatchedQueries: false,
      context: (request): Omit<GraphQLContext, 'reply' | 'app' | 'pubsub'> & Record<string, unknown> => ({
        db: app.db,
        orderServices: app.orderServices,
        request,
        tenantId: request.tenantId ?? '',
        audit: { actor: request.actor ?? { type: 'user', id: 'anonymous' }, requestId: request.id },
      }),
      subscription: {
        // The token travels in connection_init ({ authorization: 'Bearer …' }): browsers cannot set headers on a websocket.
        onConnect: async ({ payload }: { payload?: Record<string, unknown> }) => {
          const authorization = payload?.authorization ?? payload?.Authorization;
          if (typeof authorization !== 'string') return false;
          const request = { headers: { authorization }, ip: '', log: app.log } as unknown as FastifyRequest;
          Object.assign(request, { principal: null, tenantId: null, tenantStatus: null, actor: null });
          await app.authenticate(request);
          return { db: app.db, orderServices: app.orderServices, request, tenantId: request.tenantId ?? '' };
        },
      },
      errorFormatter: (execution, context) => {
        const requestId = (context as { reply?: { request?: { id?: string } } }).reply?.request?.id ?? 'unknown';
        const errors = (execution.errors ?? []).map((error) => ({ ...error.toJSON(), ...toGraphQLExtensions(error, requestId) }));
        // A GraphQL response with data is a 200 even when some fields failed; a request that never
        // executed (bad document, no valid token) keeps its HTTP status.
        const failed = errors.find((e) => e.extensions.status === 400 || e.extensions.status === 401);
        const statusCode = execution.data ? 200 : ((failed?.extensions.status as number | undefined) ?? 200);
        return { statusCode, response: { data: execution.data ?? null, errors } };
      },
    });
  },
  { name: 'graphql', dependencies: ['database', 'auth', 'trading'] },
);

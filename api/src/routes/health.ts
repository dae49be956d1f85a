import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Problem } from '../schemas/problem.ts';

const Status = Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false });

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health/live',
    { schema: { tags: ['health'], summary: 'The process is up', operationId: 'live', response: { 200: Status } } },
    async () => ({
      status: 'ok' as const,
    }),
  );
  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'The database answers',
        operationId: 'ready',
        response: { 200: Status, 503: Type.Ref(Problem) },
      },
    },
    async (request, reply) => {
      try {
        await app.db.ping();
        return { status: 'ok' as const };
      } catch (err) {
        request.log.warn({ err }, 'database not ready');
        return reply.code(503).type('application/problem+json').send({
          type: '/docs/errors/API_ERR_NOT_READY',
          title: 'Not ready',
          status: 503,
          detail: 'The database is not reachable',
          code: 'API_ERR_NOT_READY',
          requestId: request.id,
        });
      }
    },
  );
};

export default health;

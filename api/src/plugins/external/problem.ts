import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { RouteNotFoundError, toProblem } from '../../errors.ts';
import { Problem } from '../../schemas/problem.ts';
import { addSharedSchema } from '../../validation.ts';

/** One error handler for the whole app: application/problem+json, stable codes, hidden 5xx messages. */
export default fp(
  async (app: FastifyInstance) => {
    app.addSchema(Problem);
    addSharedSchema(Problem);

    app.setErrorHandler((error, request, reply) => {
      const problem = toProblem(error, request.id);
      if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: problem.code, status: problem.status }, 'request refused');
      if (problem.status === 429 && !reply.getHeader('retry-after')) reply.header('retry-after', '1');
      reply.code(problem.status).type('application/problem+json').send(problem);
    });

    app.setNotFoundHandler((request, reply) => {
      const problem = toProblem(new RouteNotFoundError(request.method, request.url.split('?')[0]), request.id);
      reply.code(404).type('application/problem+json').send(problem);
    });
  },
  { name: 'problem' },
);

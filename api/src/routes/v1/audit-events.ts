import { listAuditEvents, verifyAuditChain } from '@atrium/compliance';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { tenantOf } from '../../plugins/app/auth.ts';
import { AuditEventSchema } from '../../schemas/audit-event.ts';
import { ListQuery, Nullable, Page } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';

const ChainReport = Type.Object(
  {
    ok: Type.Boolean(),
    sealed: Type.Integer(),
    unsealed: Type.Integer(),
    headSeq: Nullable(Type.String()),
    headHash: Nullable(Type.String()),
    firstBreak: Nullable(
      Type.Object({ seq: Type.String(), eventId: Nullable(Type.String()), reason: Type.String() }, { additionalProperties: false }),
    ),
  },
  { title: 'AuditChainReport', additionalProperties: false },
);

const auditEvents: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit-events',
    {
      schema: {
        tags: ['audit'],
        summary: 'The tenant’s audit trail, newest first',
        operationId: 'listAuditEvents',
        querystring: ListQuery,
        response: { 200: Page(AuditEventSchema), ...problemResponses },
      },
    },
    async (request) => app.db.withTenant(tenantOf(request), (tx) => listAuditEvents(tx, request.query)),
  );

  app.get(
    '/audit-chain/verification',
    {
      schema: {
        tags: ['audit'],
        summary: 'Verify the tenant’s hash chain from genesis and report the first broken link',
        operationId: 'verifyAuditChain',
        response: { 200: ChainReport, ...problemResponses },
      },
    },
    async (request) => verifyAuditChain(app.db, tenantOf(request)),
  );
};

export default auditEvents;

import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from './common.ts';

export const AuditEventSchema = Type.Object(
  {
    id: Uuid,
    occurredAt: Timestamp,
    actorType: Type.Union([Type.Literal('user'), Type.Literal('client'), Type.Literal('system')]),
    actorId: Type.String(),
    action: Type.String(),
    objectType: Type.String(),
    objectId: Nullable(Type.String()),
    before: Type.Unknown({ description: 'The object before the change, or null' }),
    after: Type.Unknown({ description: 'The object after the change, or null' }),
    requestId: Nullable(Type.String()),
    seq: Nullable(Type.String({ pattern: '^[0-9]+$', description: 'Chain position; null until sealed' })),
    hash: Nullable(Type.String({ description: 'SHA-256 chain hash (hex); null until sealed' })),
  },
  { title: 'AuditEvent', additionalProperties: false },
);

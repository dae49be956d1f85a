import { type Static, type TSchema, Type } from '@sinclair/typebox';

/** JSON Schema 2020-12 / OpenAPI 3.1 nullable: `type: [T, "null"]`, which fast-json-stringify serialises directly. */
export function Nullable<T extends TSchema>(schema: T) {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}

export const Uuid = Type.String({ format: 'uuid', description: 'UUIDv7', examples: ['019a5b7e-4c1d-7a2b-9f3e-8d6c5b4a3f21'] });

export const Timestamp = Type.String({
  format: 'date-time',
  description: 'RFC 3339, UTC, microseconds',
  examples: ['2026-11-25T14:03:07.123456Z'],
});

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const ListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Opaque; from nextCursor' })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

export function Page<T extends TSchema>(item: T) {
  return Type.Object(
    {
      items: Type.Array(item),
      nextCursor: Nullable(Type.String()),
    },
    { additionalProperties: false },
  );
}

/** Creating POSTs: replay the first response for 24 h (API conventions). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$', description: 'Replays the first response for 24 h' }),
  ),
});

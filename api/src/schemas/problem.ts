import { Type } from '@sinclair/typebox';

/** RFC 9457 problem details, with Atrium's stable `code` and the request id. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: 'A URL under /docs/errors/<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ pattern: '^[A-Z]+_ERR_[A-Z0-9_]+$', examples: ['TRD_ERR_ACCOUNT_NOT_FOUND'] }),
    requestId: Type.String(),
    errors: Type.Optional(
      Type.Array(Type.Object({ path: Type.String(), message: Type.String() }, { additionalProperties: false }), {
        description: 'Validation failures, one per offending field',
      }),
    ),
  },
  { $id: 'Problem', title: 'Problem', additionalProperties: false },
);

const ref = Type.Ref(Problem);

/** Spread into every route's response schema so the OpenAPI document lists them everywhere. */
export const problemResponses = {
  400: { ...ref, description: 'Malformed request' },
  401: { ...ref, description: 'No valid credentials' },
  403: { ...ref, description: 'Not allowed for this caller' },
  404: { ...ref, description: 'Absent, or another tenant’s' },
  409: { ...ref, description: 'Conflict' },
  413: { ...ref, description: 'Body too large' },
  415: { ...ref, description: 'Unsupported media type' },
  422: { ...ref, description: 'Well-formed but refused' },
  429: { ...ref, description: 'Over a rate limit' },
  500: { ...ref, description: 'Internal error; the message is hidden' },
} as const;

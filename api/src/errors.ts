import createError from '@fastify/error';

// The gateway's own error registry; engines have theirs (TEN_, TRD_, CMP_ ...).
export const RouteNotFoundError = createError('API_ERR_ROUTE_NOT_FOUND', 'Route %s %s not found', 404);

/** Framework errors (fastify, ajv) translated to codes that stay stable when the framework changes. */
export const FRAMEWORK_CODES: Record<string, { code: string; title: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'API_ERR_MALFORMED_JSON', title: 'Malformed JSON body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'API_ERR_MALFORMED_JSON', title: 'Empty JSON body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'API_ERR_BODY_TOO_LARGE', title: 'Request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'API_ERR_UNSUPPORTED_MEDIA_TYPE', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'API_ERR_MALFORMED_REQUEST', title: 'Content-Length does not match the body' },
  FST_ERR_CTP_INVALID_TYPE: { code: 'API_ERR_UNSUPPORTED_MEDIA_TYPE', title: 'Invalid content type' },
  FST_ERR_VALIDATION: { code: 'API_ERR_VALIDATION', title: 'The request is invalid' },
  FST_ERR_BAD_URL: { code: 'API_ERR_MALFORMED_REQUEST', title: 'Malformed URL' },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'API_ERR_MALFORMED_REQUEST', title: 'Malformed request' },
  ATR_ERR_INVALID_CURSOR: { code: 'API_ERR_INVALID_CURSOR', title: 'Invalid cursor' },
  MER_ERR_GQL_VALIDATION: { code: 'API_ERR_GRAPHQL_VALIDATION', title: 'Invalid GraphQL document' },
  MER_ERR_GQL_QUERY_DEPTH: { code: 'API_ERR_GRAPHQL_VALIDATION', title: 'GraphQL query too deep' },
  MER_ERR_GQL_BATCH_DISABLED: { code: 'API_ERR_GRAPHQL_BATCH_DISABLED', title: 'Batched GraphQL queries are disabled' },
};

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable',
  429: 'Too many requests',
};

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  requestId: string;
  errors?: { path: string; message: string }[];
}

interface ErrorLike {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: { instancePath?: string; message?: string; params?: Record<string, unknown>; keyword?: string }[];
  validationContext?: string;
}

const OWN_CODE = /^[A-Z]+_ERR_[A-Z0-9_]+$/;

/** Renders any error as RFC 9457 problem details. A 5xx never shows its message. */
export function toProblem(error: unknown, requestId: string): ProblemDetails {
  const e = (error ?? {}) as ErrorLike;
  const status = e.validation ? 400 : typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  if (status >= 500) {
    return problem(
      500,
      'API_ERR_INTERNAL',
      'Internal error',
      `An internal error occurred; quote request id ${requestId} to support.`,
      requestId,
    );
  }
  const mapped = e.code ? FRAMEWORK_CODES[e.code] : undefined;
  if (e.validation) {
    const errors = e.validation.map((v) => ({ path: validationPath(e.validationContext, v), message: v.message ?? 'is invalid' }));
    return { ...problem(400, 'API_ERR_VALIDATION', 'The request is invalid', summarise(errors), requestId), errors };
  }
  const code = mapped?.code ?? (e.code && OWN_CODE.test(e.code) && !/^(FST|MER)_/.test(e.code) ? e.code : `API_ERR_HTTP_${status}`);
  const title = mapped?.title ?? STATUS_TITLES[status] ?? 'Error';
  return problem(status, code, title, e.message || title, requestId);
}

function problem(status: number, code: string, title: string, detail: string, requestId: string): ProblemDetails {
  return { type: `/docs/errors/${code}`, title, status, detail, code, requestId };
}

/** JSON Pointer into the part of the request, e.g. `/quantity`, or `/query/limit` outside the body. */
function validationPath(context: string | undefined, v: NonNullable<ErrorLike['validation']>[number]): string {
  let pointer = v.instancePath ?? '';
  const extra = v.params?.additionalProperty ?? v.params?.missingProperty;
  if (typeof extra === 'string') pointer += `/${extra}`;
  if (!context || context === 'body') return pointer || '/';
  return `/${context}${pointer}`;
}

function summarise(errors: { path: string; message: string }[]): string {
  return errors.map((e) => `${e.path} ${e.message}`).join('; ');
}

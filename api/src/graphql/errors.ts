import createError from '@fastify/error';
import type { GraphQLError } from 'graphql';
import { toProblem } from '../errors.ts';

export const ValidationFailedBase = createError('API_ERR_VALIDATION', 'The request is invalid', 400);

/** A GraphQL argument that passed the type system but not our rules (UUIDs, patterns, ranges). */
export class ValidationFailed extends ValidationFailedBase {
  readonly errors: { path: string; message: string }[];
  constructor(errors: { path: string; message: string }[]) {
    super();
    this.errors = errors;
    this.message = errors.map((e) => `${e.path} ${e.message}`).join('; ');
  }
}

/**
 * GraphQL errors carry the same `code` as REST in `extensions`, and the
 * same rule: the message of an internal error is never shown.
 */
export function toGraphQLExtensions(error: GraphQLError, requestId: string) {
  const original = error.originalError;
  if (!original) {
    // Parse and validation errors of the query document itself.
    return { message: error.message, extensions: { code: 'API_ERR_GRAPHQL_VALIDATION', status: 400, requestId } };
  }
  // mercurius wraps document problems (depth, unknown fields) in one error listing them.
  const nested = (original as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.length > 0 && !(original instanceof ValidationFailed)) {
    const detail = nested.map((inner) => (inner as Error).message).join('; ');
    return { message: detail, extensions: { code: 'API_ERR_GRAPHQL_VALIDATION', status: 400, requestId } };
  }
  const problem = toProblem(original, requestId);
  const extensions: Record<string, unknown> = { code: problem.code, status: problem.status, requestId };
  if (original instanceof ValidationFailed) extensions.errors = original.errors;
  return { message: problem.status >= 500 ? problem.detail : error.message, extensions };
}

import createError from '@fastify/error';

// Every failure to authenticate is a 401 with one of these codes, never a tenant-not-found.
export const TokenMissingError = createError('IDN_ERR_TOKEN_MISSING', 'A bearer access token is required', 401);
export const TokenInvalidError = createError('IDN_ERR_TOKEN_INVALID', 'The access token is invalid: %s', 401);
export const TokenExpiredError = createError('IDN_ERR_TOKEN_EXPIRED', 'The access token has expired', 401);
export const UnknownTenantError = createError('IDN_ERR_UNKNOWN_TENANT', 'The token names no active tenant', 401);
export const ClientRevokedError = createError('IDN_ERR_CLIENT_REVOKED', 'This API client is revoked or expired', 401);
export const ClientIpRefusedError = createError('IDN_ERR_IP_NOT_ALLOWED', 'This API client may not connect from %s', 403);
export const RoleRequiredError = createError('IDN_ERR_FORBIDDEN', 'This action needs one of the roles: %s', 403);
export const TenantSuspendedError = createError(
  'IDN_ERR_TENANT_SUSPENDED',
  'The tenant is suspended: trading and changes are refused',
  403,
);

export {
  createReseller,
  createTenant,
  findResellerIdBySlug,
  findTenantIdBySlug,
  getTenant,
  getTenantStatus,
  type NewTenant,
  type Tenant,
  type TenantStatus,
} from './directory.ts';
export { ResellerNotFoundError, TenantNotFoundError, TenantSlugTakenError } from './errors.ts';
export {
  ApiClientNotFoundError,
  ApiClientRevokedError,
  createApiClient,
  findApiClientCredentials,
  isApiClientUsable,
  listApiClients,
  revokeApiClient,
  type ApiClient,
  type ApiClientCredentials,
  type NewApiClient,
} from './api-clients.ts';
export * from './identity/errors.ts';
export { isRole, ROLES, type Role, TENANT_ROLES } from './identity/roles.ts';
export { hashClientSecret, isHashedSecret, newClientSecret, verifyClientSecret } from './identity/secrets.ts';
export { createTokenVerifier, type Principal, type TokenVerifier, type TokenVerifierOptions } from './identity/verifier.ts';

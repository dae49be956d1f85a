export {
  type ApiClient,
  type ApiClientCredentials,
  ApiClientNotFoundError,
  ApiClientRevokedError,
  createApiClient,
  findApiClientCredentials,
  isApiClientUsable,
  listApiClients,
  type NewApiClient,
  revokeApiClient,
} from './api-clients.ts';
export * from './branding/index.ts';
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
export * from './identity/errors.ts';
export { isRole, ROLES, type Role, TENANT_ROLES } from './identity/roles.ts';
export { hashClientSecret, isHashedSecret, newClientSecret, verifyClientSecret } from './identity/secrets.ts';
export { createTokenVerifier, type Principal, type TokenVerifier, type TokenVerifierOptions } from './identity/verifier.ts';
export { assertValidLei, InvalidLeiError, isValidLei } from './lei.ts';
export {
  type BrandingInput,
  CustomDomainTakenError,
  type FeeSchedule,
  findBranding,
  getManagedTenant,
  InvalidCustomDomainError,
  InvalidLocalesError,
  launchTenant,
  listManagedTenants,
  type ManagedTenant,
  type PublicBranding,
  setTenantStatus,
  type TenantChanges,
  type TenantLimits,
  TenantStatusUnchangedError,
  updateManagedTenant,
  type WhiteLabelTenantInput,
} from './white-label.ts';

import createError from '@fastify/error';

// The tenants package's error registry. Status codes are the HTTP mapping the front doors use.
export const TenantNotFoundError = createError('TEN_ERR_NOT_FOUND', 'Tenant not found', 404);
export const TenantSlugTakenError = createError('TEN_ERR_SLUG_TAKEN', 'Tenant slug %s is already taken', 409);
export const ResellerNotFoundError = createError('TEN_ERR_RESELLER_NOT_FOUND', 'Reseller not found', 404);

export {
  createReseller,
  createTenant,
  findResellerIdBySlug,
  findTenantIdBySlug,
  getTenant,
  type NewTenant,
  type Tenant,
  type TenantStatus,
} from './directory.ts';
export { ResellerNotFoundError, TenantNotFoundError, TenantSlugTakenError } from './errors.ts';

export const ROLES = [
  'platform-admin',
  'reseller-admin',
  'tenant-admin',
  'trader',
  'risk-manager',
  'compliance-officer',
  'viewer',
] as const;

export type Role = (typeof ROLES)[number];

/** Roles a tenant admin may give its own machine clients (never platform or reseller power). */
export const TENANT_ROLES: readonly Role[] = ['tenant-admin', 'trader', 'risk-manager', 'compliance-officer', 'viewer'];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

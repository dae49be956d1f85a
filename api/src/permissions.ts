import type { Role } from '@atrium/tenants';

/**
 * Who may call what: every REST operation (by operationId) and every GraphQL
 * field, in one table. The app refuses to start with a /v1 route missing here,
 * and the role-matrix test walks this table.
 */
export interface Access {
  /** tenant: the caller's own tenant; reseller: its own tenants; platform: everything; public: no token. */
  scope: 'tenant' | 'reseller' | 'platform' | 'public';
  roles: readonly Role[];
  /** Changes state: refused while the caller's tenant is suspended. */
  writes?: boolean;
}

const EVERY_TENANT_ROLE: readonly Role[] = ['tenant-admin', 'trader', 'risk-manager', 'compliance-officer', 'viewer'];
const AUDIT_READERS: readonly Role[] = ['tenant-admin', 'compliance-officer', 'risk-manager'];
const ADMIN: readonly Role[] = ['tenant-admin'];

const tenantRead = (roles: readonly Role[] = EVERY_TENANT_ROLE): Access => ({ scope: 'tenant', roles });
const tenantWrite = (roles: readonly Role[] = ADMIN): Access => ({ scope: 'tenant', roles, writes: true });

export const REST_ACCESS: Readonly<Record<string, Access>> = {
  live: { scope: 'public', roles: [] },
  ready: { scope: 'public', roles: [] },
  getBranding: { scope: 'public', roles: [] },
  getBrandingCss: { scope: 'public', roles: [] },
  getBrandingLogo: { scope: 'public', roles: [] },

  getTenant: tenantRead(),
  listAccounts: tenantRead(),
  getAccount: tenantRead(),
  createAccount: tenantWrite(),
  updateAccount: tenantWrite(),
  closeAccount: tenantWrite(),
  listAuditEvents: tenantRead(AUDIT_READERS),
  verifyAuditChain: tenantRead(AUDIT_READERS),
  listApiClients: tenantRead(ADMIN),
  createApiClient: tenantWrite(),
  revokeApiClient: tenantWrite(),

  placeOrder: tenantWrite(['trader']),
  listOrders: tenantRead(),
  getOrder: tenantRead(),
  amendOrder: tenantWrite(['trader']),
  cancelOrder: tenantWrite(['trader', 'risk-manager']),
  cancelOrders: tenantWrite(['trader', 'risk-manager']),
  getOrderBook: tenantRead(),
  listCandles: tenantRead(),
  listExecutions: tenantRead(),
  listPositions: tenantRead(),
  getPnl: tenantRead(),
  listBalances: tenantRead(),

  listInstruments: tenantRead(),
  storeVenueKeys: tenantWrite(),
  listVenueKeys: tenantRead(ADMIN),
  deleteVenueKeys: tenantWrite(),

  resellerListTenants: { scope: 'reseller', roles: ['reseller-admin'] },
  resellerCreateTenant: { scope: 'reseller', roles: ['reseller-admin'], writes: true },
  resellerGetTenant: { scope: 'reseller', roles: ['reseller-admin'] },
  resellerUpdateTenant: { scope: 'reseller', roles: ['reseller-admin'], writes: true },
  resellerSuspendTenant: { scope: 'reseller', roles: ['reseller-admin'], writes: true },
  resellerReactivateTenant: { scope: 'reseller', roles: ['reseller-admin'], writes: true },

  adminListTenants: { scope: 'platform', roles: ['platform-admin'] },
  adminGetTenant: { scope: 'platform', roles: ['platform-admin'] },
};

export const GRAPHQL_ACCESS: Readonly<Record<string, Access>> = {
  'Query.tenant': tenantRead(),
  'Query.account': tenantRead(),
  'Query.accounts': tenantRead(),
  'Query.auditEvents': tenantRead(AUDIT_READERS),
  'Query.auditChainVerification': tenantRead(AUDIT_READERS),
  'Mutation.createAccount': tenantWrite(),
  'Mutation.updateAccount': tenantWrite(),
  'Mutation.closeAccount': tenantWrite(),
  'Query.order': tenantRead(),
  'Query.executions': tenantRead(),
  'Query.positions': tenantRead(),
  'Query.balances': tenantRead(),
  'Query.pnl': tenantRead(),
  'Query.orders': tenantRead(),
  'Mutation.placeOrder': tenantWrite(['trader']),
  'Mutation.cancelOrder': tenantWrite(['trader', 'risk-manager']),
  'Subscription.orderUpdates': tenantRead(),
  'Subscription.executions': tenantRead(),
  'Subscription.orderBook': tenantRead(),
};

import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Actor } from '@atrium/compliance';
import {
  type ApiClientCredentials,
  ClientIpRefusedError,
  ClientRevokedError,
  findApiClientCredentials,
  getTenantStatus,
  isApiClientUsable,
  type Principal,
  RoleRequiredError,
  type TenantStatus,
  TenantSuspendedError,
  TokenMissingError,
  type TokenVerifier,
  UnknownTenantError,
} from '@atrium/tenants';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Access } from '../../permissions.ts';
import { readThroughCache } from '../../read-through.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /** The caller's tenant, when the token names one that exists. */
    tenantId: string | null;
    tenantStatus: TenantStatus | null;
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** Verifies the bearer token and fills request.principal/tenantId/actor. */
    authenticate(request: FastifyRequest): Promise<void>;
    /** Throws 403 unless the authenticated caller may use `access`. */
    authorize(request: Pick<FastifyRequest, 'principal' | 'tenantId' | 'tenantStatus'>, access: Access): void;
    /** After suspend/reactivate: other replicas notice within the cache TTL. */
    forgetTenantStatus(tenantId: string): void;
    /** After revoking an API client. */
    forgetApiClient(clientId: string): void;
  }
}

export interface AuthOptions {
  verifier: TokenVerifier;
  /** How long a tenant's status and an API client's record are trusted before re-reading. */
  cacheTtlMs?: number;
}

/** Bearer-token authentication and role/scope/suspension checks, for REST and GraphQL alike. */
export default fp(
  async (app: FastifyInstance, options: AuthOptions) => {
    app.decorateRequest('principal', null);
    app.decorateRequest('tenantId', null);
    app.decorateRequest('tenantStatus', null);
    app.decorateRequest('actor', null);

    const ttl = options.cacheTtlMs ?? 2000;
    const tenantStatuses = readThroughCache({ ttlMs: ttl, load: (tenantId) => getTenantStatus(app.db, tenantId) });
    // With each client its allowlist, built once per cache entry rather than on every call.
    const apiClients = readThroughCache<CachedClient | null>({
      ttlMs: ttl,
      load: async (clientId) => {
        const found = await findApiClientCredentials(app.db, clientId);
        return found ? { ...found, allowlist: found.ipAllowlist.length ? toBlockList(found.ipAllowlist) : null } : null;
      },
    });

    app.decorate('forgetTenantStatus', (tenantId: string) => tenantStatuses.forget(tenantId));
    app.decorate('forgetApiClient', (clientId: string) => apiClients.forget(clientId));

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim()) : null;
      if (!match?.[1]) throw new TokenMissingError();
      const principal = await options.verifier.verify(match[1]);

      // A tenant's machine client: revocation, expiry and IP allowlist apply to every call.
      const client = await apiClients.get(principal.clientId);
      if (client) {
        if (client.tenantId !== principal.tenantId || !isApiClientUsable(client)) throw new ClientRevokedError();
        if (client.allowlist && !ipAllowed(request.ip, client.allowlist)) throw new ClientIpRefusedError(request.ip);
      }
      if (principal.tenantId) {
        const status = await tenantStatuses.get(principal.tenantId);
        if (!status) throw new UnknownTenantError();
        request.tenantId = principal.tenantId;
        request.tenantStatus = status;
        request.log = request.log.child({ tenantId: principal.tenantId });
      }
      request.principal = principal;
      request.actor = { type: client || principal.subject === principal.clientId ? 'client' : 'user', id: principal.subject };
    });

    app.decorate('authorize', (request: Pick<FastifyRequest, 'principal' | 'tenantId' | 'tenantStatus'>, access: Access) => {
      if (access.scope === 'public') return;
      const principal = request.principal;
      if (!principal) throw new TokenMissingError();
      if (!access.roles.some((role) => principal.roles.has(role))) throw new RoleRequiredError(access.roles.join(', '));
      if (access.scope === 'tenant' && !request.tenantId) throw new RoleRequiredError(`${access.roles.join(', ')} of a tenant`);
      if (access.scope === 'reseller' && !principal.resellerId) throw new RoleRequiredError('reseller-admin of a reseller');
      if (access.writes && request.tenantStatus === 'suspended') throw new TenantSuspendedError();
    });
  },
  { name: 'auth', dependencies: ['database'] },
);

type CachedClient = ApiClientCredentials & { allowlist: BlockList | null };

function toBlockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network, prefix] = cidr.split('/');
    if (!network) continue;
    const type = isIPv6(network) ? 'ipv6' : 'ipv4';
    list.addSubnet(network, Number(prefix ?? (type === 'ipv6' ? 128 : 32)), type);
  }
  return list;
}

function ipAllowed(ip: string, list: BlockList): boolean {
  const address = ip.startsWith('::ffff:') && isIPv4(ip.slice(7)) ? ip.slice(7) : ip;
  return list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** Context for handlers behind authentication. */
export function tenantOf(request: FastifyRequest): string {
  if (!request.tenantId) throw new TokenMissingError();
  return request.tenantId;
}

export function auditContextOf(request: FastifyRequest) {
  if (!request.actor) throw new TokenMissingError();
  return { actor: request.actor, requestId: request.id };
}

export function resellerOf(request: FastifyRequest): string {
  const resellerId = request.principal?.resellerId;
  if (!resellerId) throw new TokenMissingError();
  return resellerId;
}

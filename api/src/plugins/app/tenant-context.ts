import type { Actor } from '@atrium/compliance';
import { isUuid } from '@atrium/db';
import { findTenantIdBySlug } from '@atrium/tenants';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { UnauthenticatedError } from '../../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate` on every protected route; null before. */
    tenantId: string | null;
    actor: Actor | null;
  }
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>;
  }
}

/** Only exists when NODE_ENV is development or test; the identity issue replaces it with OIDC tokens. */
export const DEV_TENANT_HEADER = 'x-atrium-dev-tenant';
const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export interface TenantContextOptions {
  devTenantHeader: boolean;
}

/** Establishes who is calling and for which tenant, and tags the request's log lines with the tenant. */
export default fp(
  async (app: FastifyInstance, options: TenantContextOptions) => {
    app.decorateRequest('tenantId', null);
    app.decorateRequest('actor', null);
    const slugs = new Map<string, string>();

    async function resolveDevTenant(value: string): Promise<string | null> {
      if (isUuid(value)) return value.toLowerCase();
      if (!SLUG.test(value)) return null;
      const known = slugs.get(value);
      if (known) return known;
      const id = await findTenantIdBySlug(app.db, value);
      if (id) slugs.set(value, id);
      return id;
    }

    app.decorate('authenticate', async (request: FastifyRequest) => {
      const header = options.devTenantHeader ? request.headers[DEV_TENANT_HEADER] : undefined;
      const value = typeof header === 'string' ? header.trim() : undefined;
      const tenantId = value ? await resolveDevTenant(value) : null;
      if (!tenantId || !value) throw new UnauthenticatedError();
      request.tenantId = tenantId;
      request.actor = { type: 'user', id: `dev:${value}` };
      request.log = request.log.child({ tenantId });
    });
  },
  { name: 'tenant-context', dependencies: ['database'] },
);

/** For handlers behind `authenticate`: the tenant is always there. */
export function tenantOf(request: FastifyRequest): string {
  if (!request.tenantId) throw new UnauthenticatedError();
  return request.tenantId;
}

export function auditContextOf(request: FastifyRequest) {
  if (!request.actor) throw new UnauthenticatedError();
  return { actor: request.actor, requestId: request.id };
}

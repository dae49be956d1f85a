import {
  getManagedTenant,
  launchTenant,
  listManagedTenants,
  setTenantStatus,
  type TenantChanges,
  updateManagedTenant,
  type WhiteLabelTenantInput,
} from '@atrium/tenants';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { auditContextOf, resellerOf } from '../../plugins/app/auth.ts';
import { IdParams, ListQuery, Page } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';
import { LaunchedTenantSchema, LaunchTenantBody, ManagedTenantSchema, UpdateTenantBody } from '../../schemas/white-label.ts';

type BrandingBody = NonNullable<LaunchTenantBody['branding']>;

/** Base64 logo in JSON to bytes; the engine validates the bytes themselves. */
function brandingOf(branding: BrandingBody | undefined) {
  if (!branding) return undefined;
  const { logo, ...rest } = branding;
  if (logo === undefined) return rest;
  return { ...rest, logo: logo === null ? null : { mediaType: logo.mediaType, bytes: Buffer.from(logo.data, 'base64') } };
}

function withBranding<T extends { branding?: BrandingBody }>(body: T) {
  const { branding, ...rest } = body;
  const converted = brandingOf(branding);
  return converted ? { ...rest, branding: converted } : rest;
}

/** A reseller's own white-label tenants. Another reseller's tenant is a 404 (RLS hides it). */
const resellerTenants: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/reseller/tenants',
    {
      schema: {
        tags: ['reseller'],
        summary: 'The reseller’s tenants',
        operationId: 'resellerListTenants',
        querystring: ListQuery,
        response: { 200: Page(ManagedTenantSchema), ...problemResponses },
      },
    },
    async (request) => app.db.withReseller(resellerOf(request), (tx) => listManagedTenants(tx, request.query)),
  );

  app.post(
    '/reseller/tenants',
    {
      schema: {
        tags: ['reseller'],
        summary: 'Launch a white-label tenant, with its branding and first tenant-admin client, in one call',
        operationId: 'resellerCreateTenant',
        body: LaunchTenantBody,
        response: { 201: LaunchedTenantSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const resellerId = resellerOf(request);
      const launched = await app.db.withReseller(resellerId, (tx) =>
        launchTenant(tx, resellerId, withBranding(request.body as LaunchTenantBody) as WhiteLabelTenantInput, auditContextOf(request)),
      );
      return reply.code(201).header('cache-control', 'no-store').send(launched);
    },
  );

  app.get(
    '/reseller/tenants/:id',
    {
      schema: {
        tags: ['reseller'],
        summary: 'One of the reseller’s tenants',
        operationId: 'resellerGetTenant',
        params: IdParams,
        response: { 200: ManagedTenantSchema, ...problemResponses },
      },
    },
    async (request) => app.db.withReseller(resellerOf(request), (tx) => getManagedTenant(tx, request.params.id)),
  );

  app.patch(
    '/reseller/tenants/:id',
    {
      schema: {
        tags: ['reseller'],
        summary: 'Change a tenant’s settings, fees, limits or branding',
        operationId: 'resellerUpdateTenant',
        params: IdParams,
        body: UpdateTenantBody,
        response: { 200: ManagedTenantSchema, ...problemResponses },
      },
    },
    async (request) =>
      app.db.withReseller(resellerOf(request), (tx) =>
        updateManagedTenant(
          tx,
          request.params.id,
          withBranding(request.body as UpdateTenantBody) as TenantChanges,
          auditContextOf(request),
        ),
      ),
  );

  for (const [action, status, operationId, summary] of [
    ['suspend', 'suspended', 'resellerSuspendTenant', 'Suspend: trading and changes are refused; compliance can still read'],
    ['reactivate', 'active', 'resellerReactivateTenant', 'Reactivate a suspended tenant'],
  ] as const) {
    app.post(
      `/reseller/tenants/:id/${action}`,
      {
        schema: {
          tags: ['reseller'],
          summary,
          operationId,
          params: IdParams,
          response: { 200: ManagedTenantSchema, ...problemResponses },
        },
      },
      async (request) => {
        const tenant = await app.db.withReseller(resellerOf(request), (tx) =>
          setTenantStatus(tx, request.params.id, status, auditContextOf(request)),
        );
        app.forgetTenantStatus(tenant.id);
        return tenant;
      },
    );
  }
};

export default resellerTenants;

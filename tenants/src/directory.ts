import { type AuditContext, appendAuditEvent } from '@atrium/compliance';
import { type Database, newId, type PlatformTx, type ResellerTx, type TenantTx, type Tx } from '@atrium/db';
import { TenantSlugTakenError } from './errors.ts';

export type TenantStatus = 'active' | 'suspended';

export interface Tenant {
  id: string;
  resellerId: string;
  slug: string;
  name: string;
  legalName: string;
  lei: string | null;
  status: TenantStatus;
  defaultLocale: string;
  allowedLocales: string[];
  reportingCurrency: string;
  branding: {
    displayName: string;
    primaryColor: string | null;
    secondaryColor: string | null;
    logoMediaType: string | null;
    customDomain: string | null;
  };
  createdAt: string;
  updatedAt: string;
}

export interface NewTenant {
  slug: string;
  name: string;
  legalName: string;
  lei?: string | null;
  defaultLocale?: string;
  allowedLocales?: string[];
  reportingCurrency?: string;
}

const TENANT_COLUMNS = `id, reseller_id, slug, name, legal_name, lei, status, default_locale, allowed_locales, reporting_currency,
  brand_display_name, brand_primary_color, brand_secondary_color, brand_logo_media_type, custom_domain, created_at, updated_at`;

export interface TenantRow {
  id: string;
  reseller_id: string;
  slug: string;
  name: string;
  legal_name: string;
  lei: string | null;
  status: TenantStatus;
  default_locale: string;
  allowed_locales: string[];
  reporting_currency: string;
  brand_display_name: string | null;
  brand_primary_color: string | null;
  brand_secondary_color: string | null;
  brand_logo_media_type: string | null;
  custom_domain: string | null;
  created_at: string;
  updated_at: string;
}

export function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    resellerId: row.reseller_id,
    slug: row.slug,
    name: row.name,
    legalName: row.legal_name,
    lei: row.lei,
    status: row.status,
    defaultLocale: row.default_locale,
    allowedLocales: row.allowed_locales,
    reportingCurrency: row.reporting_currency,
    branding: {
      displayName: row.brand_display_name ?? row.name,
      primaryColor: row.brand_primary_color,
      secondaryColor: row.brand_secondary_color,
      logoMediaType: row.brand_logo_media_type,
      customDomain: row.custom_domain,
    },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The caller's own tenant. RLS makes any other tenant invisible here. */
export async function getTenant(tx: TenantTx): Promise<Tenant | null> {
  const [row] = await tx<TenantRow[]>`select ${tx.unsafe(TENANT_COLUMNS)} from tenants where id = ${tx.tenantId}`;
  return row ? toTenant(row) : null;
}

/** active/suspended, or null for no such tenant: what authentication needs, cached by the gateway. */
export async function getTenantStatus(db: Database, tenantId: string): Promise<TenantStatus | null> {
  const [row] = await db.withPlatform((tx) => tx<{ status: TenantStatus }[]>`select status from tenants where id = ${tenantId}`);
  return row?.status ?? null;
}

/** Resolves a public slug to its tenant id: the one cross-tenant lookup, in platform scope. */
export async function findTenantIdBySlug(db: Database, slug: string): Promise<string | null> {
  const [row] = await db.withPlatform((tx) => tx<{ id: string }[]>`select id from tenants where slug = ${slug}`);
  return row?.id ?? null;
}

export async function createReseller(
  tx: PlatformTx,
  input: { slug: string; name: string },
): Promise<{ id: string; slug: string; name: string }> {
  const id = newId();
  await tx`insert into resellers (id, slug, name) values (${id}, ${input.slug}, ${input.name})`;
  return { id, ...input };
}

export async function findResellerIdBySlug(tx: PlatformTx, slug: string): Promise<string | null> {
  const [row] = await tx<{ id: string }[]>`select id from resellers where slug = ${slug}`;
  return row?.id ?? null;
}

/** Creates a tenant under a reseller, audited as the tenant's first chain event. */
export async function createTenant(
  tx: PlatformTx | ResellerTx,
  resellerId: string,
  input: NewTenant,
  context: AuditContext,
): Promise<Tenant> {
  const id = newId();
  const allowed = input.allowedLocales ?? [input.defaultLocale ?? 'en'];
  const [row] = await insertTenant(tx, {
    id,
    reseller_id: resellerId,
    slug: input.slug,
    name: input.name,
    legal_name: input.legalName,
    lei: input.lei ?? null,
    default_locale: input.defaultLocale ?? allowed[0] ?? 'en',
    allowed_locales: allowed,
    reporting_currency: input.reportingCurrency ?? 'USD',
  });
  if (!row) throw new Error('tenant insert returned nothing');
  const tenant = toTenant(row);
  const scoped = await tx.asTenant(id);
  await appendAuditEvent(scoped, { ...context, action: 'tenant.created', objectType: 'tenant', objectId: id, after: tenant });
  return tenant;
}

async function insertTenant(tx: Tx, values: Record<string, unknown>): Promise<TenantRow[]> {
  try {
    return await tx<TenantRow[]>`insert into tenants ${tx(values)} returning ${tx.unsafe(TENANT_COLUMNS)}`;
  } catch (error) {
    if ((error as { constraint_name?: string }).constraint_name === 'tenants_slug_key') {
      throw new TenantSlugTakenError(String(values.slug));
    }
    throw error;
  }
}

import { createHash } from 'node:crypto';
import { type AuditContext, appendAuditEvent } from '@atrium/compliance';
import { type Database, decodeCursor, newId, type Page, type PlatformTx, type ResellerTx, type TenantTx, toPage } from '@atrium/db';
import createError from '@fastify/error';
import { createApiClient } from './api-clients.ts';
import { type LogoMediaType, validateLogo } from './branding/index.ts';
import { normaliseCustomDomain } from './branding/theme.ts';
import { type Tenant, type TenantRow, type TenantStatus, toTenant } from './directory.ts';
import { TenantNotFoundError, TenantSlugTakenError } from './errors.ts';
import { assertValidLei } from './lei.ts';

export const CustomDomainTakenError = createError('TEN_ERR_DOMAIN_TAKEN', 'Custom domain %s is already in use', 409);
export const InvalidCustomDomainError = createError('TEN_ERR_INVALID_DOMAIN', 'Not a usable custom domain: %s', 422);
export const InvalidLocalesError = createError('TEN_ERR_INVALID_LOCALES', 'The default locale must be one of the allowed locales', 422);
export const TenantStatusUnchangedError = createError('TEN_ERR_STATUS_UNCHANGED', 'The tenant is already %s', 409);

export interface FeeSchedule {
  /** Basis points, decimal strings. */
  makerBps: string;
  takerBps: string;
}

export interface TenantLimits {
  /** Decimal strings in the tenant's reporting currency. */
  maxOrderNotional: string;
  maxDailyNotional: string;
}

export interface BrandingInput {
  displayName?: string | null;
  primaryColor?: string | null;
  secondaryColor?: string | null;
  customDomain?: string | null;
  /** Validated by its bytes (PNG or sanitised SVG, ≤ 256 KiB); never fetched from a URL. */
  logo?: { mediaType?: string; bytes: Buffer } | null;
}

export interface WhiteLabelTenantInput {
  slug: string;
  name: string;
  legalName: string;
  lei?: string | null;
  defaultLocale?: string;
  allowedLocales?: string[];
  reportingCurrency?: string;
  feeSchedule?: FeeSchedule;
  defaultLimits?: TenantLimits;
  branding?: BrandingInput;
  /** Copy settings, limits, fees and branding (not identity, domain) from another of the reseller's tenants. */
  templateTenantId?: string;
}

export type TenantChanges = Partial<Omit<WhiteLabelTenantInput, 'slug' | 'templateTenantId'>>;

export interface ManagedTenant extends Tenant {
  feeSchedule: Partial<FeeSchedule>;
  defaultLimits: Partial<TenantLimits>;
}

const MANAGED_COLUMNS = `id, reseller_id, slug, name, legal_name, lei, status, default_locale, allowed_locales, reporting_currency,
  brand_display_name, brand_primary_color, brand_secondary_color, brand_logo_media_type, custom_domain, created_at, updated_at,
  fee_schedule, default_limits`;

type ManagerTx = ResellerTx | PlatformTx;

async function readManaged(tx: ManagerTx | TenantTx, id: string): Promise<ManagedTenant | null> {
  const [row] = await tx`select ${tx.unsafe(MANAGED_COLUMNS)} from tenants where id = ${id}`;
  if (!row) return null;
  return { ...toTenant(row as TenantRow), feeSchedule: row.fee_schedule, defaultLimits: row.default_limits };
}

function checkLocales(defaultLocale: string, allowed: string[]) {
  if (!allowed.includes(defaultLocale)) throw new InvalidLocalesError();
}

function domainOf(value: string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const normal = normaliseCustomDomain(value);
  if (!normal) throw new InvalidCustomDomainError(value);
  return normal;
}

function logoColumns(logo: BrandingInput['logo']): Record<string, unknown> {
  if (logo === undefined) return {};
  if (logo === null) return { brand_logo: null, brand_logo_media_type: null };
  const valid = validateLogo(logo.bytes, logo.mediaType);
  return { brand_logo: valid.bytes, brand_logo_media_type: valid.mediaType };
}

function logoSummary(bytes: Buffer | null | undefined, mediaType: LogoMediaType | string | null | undefined) {
  return bytes ? { mediaType, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } : null;
}

async function writeTenant(run: () => Promise<unknown>, slug?: string, domain?: string | null): Promise<void> {
  try {
    await run();
  } catch (error) {
    const constraint = (error as { constraint_name?: string }).constraint_name;
    if (constraint === 'tenants_slug_key') throw new TenantSlugTakenError(slug ?? '');
    if (constraint === 'tenants_custom_domain_key') throw new CustomDomainTakenError(domain ?? '');
    throw error;
  }
}

/**
 * A reseller launches a white-label tenant in one call: the tenant, its
 * branding and logo, and its first tenant-admin API client (secret shown once),
 * all audited in the new tenant's chain in one transaction.
 */
export async function launchTenant(
  tx: ManagerTx,
  resellerId: string,
  input: WhiteLabelTenantInput,
  context: AuditContext,
): Promise<{ tenant: ManagedTenant; adminClient: { clientId: string; clientSecret: string } }> {
  let template: ManagedTenant | null = null;
  if (input.templateTenantId) {
    template = await readManaged(tx, input.templateTenantId);
    if (!template || template.resellerId !== resellerId) throw new TenantNotFoundError();
  }
  if (input.lei) assertValidLei(input.lei);
  const allowed = input.allowedLocales ?? template?.allowedLocales ?? [input.defaultLocale ?? 'en'];
  const defaultLocale = input.defaultLocale ?? template?.defaultLocale ?? allowed[0] ?? 'en';
  checkLocales(defaultLocale, allowed);
  const branding = input.branding ?? {};
  const customDomain = domainOf(branding.customDomain);
  const id = newId();
  const values: Record<string, unknown> = {
    id,
    reseller_id: resellerId,
    slug: input.slug,
    name: input.name,
    legal_name: input.legalName,
    lei: input.lei ?? null,
    default_locale: defaultLocale,
    allowed_locales: allowed,
    reporting_currency: input.reportingCurrency ?? template?.reportingCurrency ?? 'USD',
    fee_schedule: tx.json((input.feeSchedule ?? template?.feeSchedule ?? {}) as never),
    default_limits: tx.json((input.defaultLimits ?? template?.defaultLimits ?? {}) as never),
    brand_display_name: branding.displayName ?? null,
    brand_primary_color: branding.primaryColor ?? template?.branding.primaryColor ?? null,
    brand_secondary_color: branding.secondaryColor ?? template?.branding.secondaryColor ?? null,
    custom_domain: customDomain ?? null,
    ...logoColumns(branding.logo),
  };
  if (branding.logo === undefined && template?.branding.logoMediaType) {
    const [copied] = await tx`select brand_logo, brand_logo_media_type from tenants where id = ${template.id}`;
    values.brand_logo = copied?.brand_logo ?? null;
    values.brand_logo_media_type = copied?.brand_logo_media_type ?? null;
  }
  await writeTenant(() => tx`insert into tenants ${tx(values)}`, input.slug, customDomain);
  const scoped = await tx.asTenant(id);
  const tenant = (await readManaged(scoped, id)) as ManagedTenant;
  await appendAuditEvent(scoped, {
    ...context,
    action: 'tenant.created',
    objectType: 'tenant',
    objectId: id,
    after: {
      ...tenant,
      logo: logoSummary(values.brand_logo as Buffer | null, values.brand_logo_media_type as string | null),
      templateTenantId: template?.id ?? null,
    },
  });
  const { client, clientSecret } = await createApiClient(scoped, { name: `${input.name} administrator`, roles: ['tenant-admin'] }, context);
  return { tenant, adminClient: { clientId: client.clientId, clientSecret } };
}

export async function listManagedTenants(tx: ManagerTx, options: { limit: number; cursor?: string | null }): Promise<Page<ManagedTenant>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  // RLS limits a reseller to its own tenants; the platform scope sees all.
  const rows = await tx`select id from tenants ${after ? tx`where id > ${after}` : tx``} order by id limit ${options.limit + 1}`;
  const tenants = await Promise.all(rows.map(async (row) => (await readManaged(tx, row.id)) as ManagedTenant));
  return toPage(tenants, options.limit);
}

export async function getManagedTenant(tx: ManagerTx, id: string): Promise<ManagedTenant> {
  const tenant = await readManaged(tx, id);
  if (!tenant) throw new TenantNotFoundError();
  return tenant;
}

export async function updateManagedTenant(
  tx: ManagerTx,
  id: string,
  changes: TenantChanges,
  context: AuditContext,
): Promise<ManagedTenant> {
  const before = await getManagedTenant(tx, id);
  if (changes.lei) assertValidLei(changes.lei);
  const allowed = changes.allowedLocales ?? before.allowedLocales;
  const defaultLocale = changes.defaultLocale ?? (allowed.includes(before.defaultLocale) ? before.defaultLocale : (allowed[0] ?? 'en'));
  checkLocales(defaultLocale, allowed);
  const branding = changes.branding ?? {};
  const customDomain = domainOf(branding.customDomain);
  const set: Record<string, unknown> = {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.legalName !== undefined ? { legal_name: changes.legalName } : {}),
    ...(changes.lei !== undefined ? { lei: changes.lei } : {}),
    ...(changes.reportingCurrency !== undefined ? { reporting_currency: changes.reportingCurrency } : {}),
    ...(changes.feeSchedule !== undefined ? { fee_schedule: tx.json(changes.feeSchedule as never) } : {}),
    ...(changes.defaultLimits !== undefined ? { default_limits: tx.json(changes.defaultLimits as never) } : {}),
    ...(branding.displayName !== undefined ? { brand_display_name: branding.displayName } : {}),
    ...(branding.primaryColor !== undefined ? { brand_primary_color: branding.primaryColor } : {}),
    ...(branding.secondaryColor !== undefined ? { brand_secondary_color: branding.secondaryColor } : {}),
    ...(customDomain !== undefined ? { custom_domain: customDomain } : {}),
    ...logoColumns(branding.logo),
    default_locale: defaultLocale,
    allowed_locales: allowed,
  };
  await writeTenant(() => tx`update tenants set ${tx(set)}, updated_at = clock_timestamp() where id = ${id}`, before.slug, customDomain);
  const scoped = await tx.asTenant(id);
  const after = (await readManaged(scoped, id)) as ManagedTenant;
  await appendAuditEvent(scoped, { ...context, action: 'tenant.updated', objectType: 'tenant', objectId: id, before, after });
  return after;
}

export async function setTenantStatus(tx: ManagerTx, id: string, status: TenantStatus, context: AuditContext): Promise<ManagedTenant> {
  const before = await getManagedTenant(tx, id);
  if (before.status === status) throw new TenantStatusUnchangedError(status);
  await tx`update tenants set status = ${status}, updated_at = clock_timestamp() where id = ${id}`;
  const scoped = await tx.asTenant(id);
  const after = (await readManaged(scoped, id)) as ManagedTenant;
  await appendAuditEvent(scoped, {
    ...context,
    action: status === 'suspended' ? 'tenant.suspended' : 'tenant.reactivated',
    objectType: 'tenant',
    objectId: id,
    before: { status: before.status },
    after: { status },
  });
  return after;
}

export interface PublicBranding {
  tenant: Tenant;
  logo: { mediaType: string; bytes: Buffer } | null;
}

/** Public: resolves a tenant by its custom domain (Host) or slug, for themes and reports. Suspended tenants keep their brand. */
export async function findBranding(db: Database, by: { domain: string } | { slug: string }): Promise<PublicBranding | null> {
  const [row] = await db.withPlatform(
    (tx) =>
      tx`select ${tx.unsafe(MANAGED_COLUMNS)}, brand_logo from tenants
          where ${'domain' in by ? tx`custom_domain = ${by.domain}` : tx`slug = ${by.slug}`}`,
  );
  if (!row) return null;
  return {
    tenant: toTenant(row as TenantRow),
    logo: row.brand_logo ? { mediaType: row.brand_logo_media_type, bytes: row.brand_logo } : null,
  };
}

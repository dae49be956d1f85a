import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from './common.ts';
import { TenantSchema } from './tenant.ts';

const DecimalString = Type.String({ pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$', maxLength: 40, examples: ['2.5'] });
const Locale = Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$', examples: ['en', 'de-CH'] });
const Color = Type.String({ pattern: '^#[0-9a-fA-F]{6}$', examples: ['#1f4e79'] });

export const FeeScheduleSchema = Type.Object(
  { makerBps: DecimalString, takerBps: DecimalString },
  { additionalProperties: false, description: 'Basis points' },
);
export const LimitsSchema = Type.Object(
  { maxOrderNotional: DecimalString, maxDailyNotional: DecimalString },
  { additionalProperties: false, description: 'In the tenant’s reporting currency' },
);

const LogoUpload = Type.Object(
  {
    mediaType: Type.Union([Type.Literal('image/png'), Type.Literal('image/svg+xml')]),
    // 256 KiB of bytes is at most 349,528 base64 characters.
    data: Type.String({ contentEncoding: 'base64', maxLength: 349_528, description: 'Base64 of the PNG or SVG bytes' }),
  },
  { additionalProperties: false },
);

const BrandingBody = Type.Object(
  {
    displayName: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    primaryColor: Type.Optional(Nullable(Color)),
    secondaryColor: Type.Optional(Nullable(Color)),
    customDomain: Type.Optional(Nullable(Type.String({ minLength: 3, maxLength: 253 }))),
    logo: Type.Optional(Nullable(LogoUpload)),
  },
  { additionalProperties: false },
);

const tenantFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  legalName: Type.String({ minLength: 1, maxLength: 300 }),
  lei: Type.Optional(Nullable(Type.String({ pattern: '^[A-Z0-9]{18}[0-9]{2}$', description: 'ISO 17442, checksum verified' }))),
  defaultLocale: Type.Optional(Locale),
  allowedLocales: Type.Optional(Type.Array(Locale, { minItems: 1, maxItems: 20, uniqueItems: true })),
  reportingCurrency: Type.Optional(Type.String({ pattern: '^[A-Z]{3,10}$' })),
  feeSchedule: Type.Optional(FeeScheduleSchema),
  defaultLimits: Type.Optional(LimitsSchema),
  branding: Type.Optional(BrandingBody),
};

export const LaunchTenantBody = Type.Object(
  {
    slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$' }),
    ...tenantFields,
    templateTenantId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);
export type LaunchTenantBody = Static<typeof LaunchTenantBody>;

export const UpdateTenantBody = Type.Object(
  {
    name: Type.Optional(tenantFields.name),
    legalName: Type.Optional(tenantFields.legalName),
    lei: tenantFields.lei,
    defaultLocale: tenantFields.defaultLocale,
    allowedLocales: tenantFields.allowedLocales,
    reportingCurrency: tenantFields.reportingCurrency,
    feeSchedule: tenantFields.feeSchedule,
    defaultLimits: tenantFields.defaultLimits,
    branding: tenantFields.branding,
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateTenantBody = Static<typeof UpdateTenantBody>;

export const ManagedTenantSchema = Type.Object(
  {
    ...TenantSchema.properties,
    resellerId: Uuid,
    feeSchedule: Type.Partial(FeeScheduleSchema),
    defaultLimits: Type.Partial(LimitsSchema),
  },
  { title: 'ManagedTenant', additionalProperties: false },
);

export const LaunchedTenantSchema = Type.Object(
  {
    tenant: ManagedTenantSchema,
    adminClient: Type.Object(
      {
        clientId: Type.String(),
        clientSecret: Type.String({ description: 'Shown once; store it now' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const BrandingThemeSchema = Type.Object(
  {
    tenant: Type.String(),
    displayName: Type.String(),
    colors: Type.Object({ primary: Type.String(), secondary: Type.String() }, { additionalProperties: false }),
    logoUrl: Nullable(Type.String()),
    customDomain: Nullable(Type.String()),
  },
  { title: 'BrandingTheme', additionalProperties: false },
);

export const BrandingQuery = Type.Object(
  { tenant: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}$', description: 'Tenant slug; else the Host header' })) },
  { additionalProperties: false },
);

export const ApiClientSchema = Type.Object(
  {
    id: Uuid,
    clientId: Type.String(),
    name: Type.String(),
    roles: Type.Array(Type.String()),
    ipAllowlist: Type.Array(Type.String()),
    expiresAt: Nullable(Timestamp),
    revokedAt: Nullable(Timestamp),
    createdAt: Timestamp,
  },
  { title: 'ApiClient', additionalProperties: false },
);

export const CreateApiClientBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    roles: Type.Array(
      Type.Union([
        Type.Literal('tenant-admin'),
        Type.Literal('trader'),
        Type.Literal('risk-manager'),
        Type.Literal('compliance-officer'),
        Type.Literal('viewer'),
      ]),
      { minItems: 1, maxItems: 5, uniqueItems: true },
    ),
    ipAllowlist: Type.Optional(
      Type.Array(Type.String({ anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }, { pattern: '^[0-9a-fA-F:.]+/[0-9]{1,3}$' }] }), {
        maxItems: 50,
      }),
    ),
    expiresAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type CreateApiClientBody = Static<typeof CreateApiClientBody>;

export const CreatedApiClientSchema = Type.Object(
  { client: ApiClientSchema, clientSecret: Type.String({ description: 'Shown once; store it now' }) },
  { additionalProperties: false },
);

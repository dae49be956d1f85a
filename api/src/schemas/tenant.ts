import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from './common.ts';

export const TenantSchema = Type.Object(
  {
    id: Uuid,
    slug: Type.String(),
    name: Type.String(),
    legalName: Type.String(),
    lei: Nullable(Type.String()),
    status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
    defaultLocale: Type.String(),
    allowedLocales: Type.Array(Type.String()),
    reportingCurrency: Type.String(),
    branding: Type.Object(
      {
        displayName: Type.String(),
        primaryColor: Nullable(Type.String()),
        secondaryColor: Nullable(Type.String()),
        logoMediaType: Nullable(Type.String()),
        customDomain: Nullable(Type.String()),
      },
      { additionalProperties: false },
    ),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { title: 'Tenant', additionalProperties: false },
);

import { type Static, Type } from '@sinclair/typebox';
import { Timestamp, Uuid } from './common.ts';

const Currency = Type.String({ pattern: '^[A-Z]{3,10}$', examples: ['USD'] });

export const AccountSchema = Type.Object(
  {
    id: Uuid,
    code: Type.String(),
    name: Type.String(),
    baseCurrency: Currency,
    status: Type.Union([Type.Literal('active'), Type.Literal('closed')]),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { title: 'Account', additionalProperties: false },
);

export const CreateAccountBody = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9_-]{1,36}$', description: 'Your reference, unique in your tenant' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    baseCurrency: Type.Optional(Currency),
  },
  { additionalProperties: false },
);
export type CreateAccountBody = Static<typeof CreateAccountBody>;

export const UpdateAccountBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateAccountBody = Static<typeof UpdateAccountBody>;

export const AccountListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('closed')])),
  },
  { additionalProperties: false },
);
export type AccountListQuery = Static<typeof AccountListQuery>;

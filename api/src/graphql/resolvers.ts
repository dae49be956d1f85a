import { type AuditContext, listAuditEvents, verifyAuditChain } from '@atrium/compliance';
import { type Database, encodeCursor, isUuid, type Page } from '@atrium/db';
import { getTenant, TenantNotFoundError } from '@atrium/tenants';
import { type AccountStatus, closeAccount, createAccount, getAccount, listAccounts, updateAccount } from '@atrium/trading';
import type { FastifyRequest } from 'fastify';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { ValidationFailed } from './errors.ts';

export interface GraphQLContext {
  db: Database;
  request: Pick<FastifyRequest, 'principal' | 'tenantId' | 'tenantStatus'>;
  /** Checked non-empty by the field's access rule before any tenant-scoped resolver runs. */
  tenantId: string;
  audit: AuditContext;
}

const CODE = /^[A-Za-z0-9_-]{1,36}$/;
const CURRENCY = /^[A-Z]{3,10}$/;

function requireId(id: string, path: string): string {
  if (!isUuid(id)) throw new ValidationFailed([{ path, message: 'must be a UUID' }]);
  return id;
}

function limitOf(first: number | null | undefined): number {
  const limit = first ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new ValidationFailed([{ path: '/first', message: 'must be 1 to 500' }]);
  return limit;
}

function connection<T extends { id: string }>(page: Page<T>) {
  return {
    edges: page.items.map((node) => ({ cursor: encodeCursor(node.id), node })),
    pageInfo: { endCursor: page.items.length ? encodeCursor((page.items.at(-1) as T).id) : null, hasNextPage: page.nextCursor !== null },
  };
}

function checkName(name: string) {
  if (name.length < 1 || name.length > 200) throw new ValidationFailed([{ path: '/input/name', message: 'must be 1 to 200 characters' }]);
}

function parseJsonLiteral(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return ast.value;
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, parseJsonLiteral(field.value)]));
    case Kind.LIST:
      return ast.values.map(parseJsonLiteral);
    default:
      return null;
  }
}

export const resolvers = {
  JSON: new GraphQLScalarType({
    name: 'JSON',
    serialize: (value) => value,
    parseValue: (value) => value,
    parseLiteral: parseJsonLiteral,
  }),
  Query: {
    tenant: async (_: unknown, __: unknown, ctx: GraphQLContext) => {
      const tenant = await ctx.db.withTenant(ctx.tenantId, (tx) => getTenant(tx));
      if (!tenant) throw new TenantNotFoundError();
      return tenant;
    },
    account: (_: unknown, args: { id: string }, ctx: GraphQLContext) => getAccount(ctx.db, ctx.tenantId, requireId(args.id, '/id')),
    accounts: async (_: unknown, args: { first?: number; after?: string | null; status?: AccountStatus | null }, ctx: GraphQLContext) =>
      connection(
        await ctx.db.withTenant(ctx.tenantId, (tx) =>
          listAccounts(tx, { limit: limitOf(args.first), cursor: args.after ?? null, ...(args.status ? { status: args.status } : {}) }),
        ),
      ),
    auditEvents: async (_: unknown, args: { first?: number; after?: string | null }, ctx: GraphQLContext) =>
      connection(
        await ctx.db.withTenant(ctx.tenantId, (tx) => listAuditEvents(tx, { limit: limitOf(args.first), cursor: args.after ?? null })),
      ),
    auditChainVerification: (_: unknown, __: unknown, ctx: GraphQLContext) => verifyAuditChain(ctx.db, ctx.tenantId),
  },
  Mutation: {
    createAccount: (_: unknown, args: { input: { code: string; name: string; baseCurrency?: string | null } }, ctx: GraphQLContext) => {
      const { code, name, baseCurrency } = args.input;
      if (!CODE.test(code)) throw new ValidationFailed([{ path: '/input/code', message: 'must match ^[A-Za-z0-9_-]{1,36}$' }]);
      checkName(name);
      if (baseCurrency != null && !CURRENCY.test(baseCurrency)) {
        throw new ValidationFailed([{ path: '/input/baseCurrency', message: 'must be an upper-case currency code' }]);
      }
      return ctx.db.withTenant(ctx.tenantId, (tx) =>
        createAccount(tx, { code, name, ...(baseCurrency ? { baseCurrency } : {}) }, ctx.audit),
      );
    },
    updateAccount: (_: unknown, args: { id: string; input: { name: string } }, ctx: GraphQLContext) => {
      const id = requireId(args.id, '/id');
      checkName(args.input.name);
      return ctx.db.withTenant(ctx.tenantId, (tx) => updateAccount(tx, id, { name: args.input.name }, ctx.audit));
    },
    closeAccount: (_: unknown, args: { id: string }, ctx: GraphQLContext) => {
      const id = requireId(args.id, '/id');
      return ctx.db.withTenant(ctx.tenantId, (tx) => closeAccount(tx, id, ctx.audit));
    },
  },
};

import { type AuditContext, listAuditEvents, verifyAuditChain } from '@atrium/compliance';
import { type Database, encodeCursor, isUuid, type Page } from '@atrium/db';
import { getTenant, TenantNotFoundError } from '@atrium/tenants';
import {
  type AccountStatus,
  cancelOrder,
  closeAccount,
  createAccount,
  getAccount,
  getBalances,
  getOrder,
  getPnl,
  getPositions,
  listAccounts,
  listExecutions,
  listOrders,
  type OrderServices,
  type PlaceOrderInput,
  placeOrder,
  placeSmartOrder,
  updateAccount,
} from '@atrium/trading';
import type { FastifyRequest } from 'fastify';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { ValidationFailed } from './errors.ts';

export interface GraphQLContext {
  db: Database;
  orderServices: OrderServices;
  pubsub: { subscribe(topic: string): Promise<AsyncIterable<unknown>> };
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

const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const ORDER_ENUMS: Record<string, readonly string[]> = {
  venue: ['paper', 'binance', 'coinbase', 'kraken', 'smart'],
  side: ['buy', 'sell'],
  type: ['market', 'limit', 'stop-limit'],
  timeInForce: ['GTC', 'IOC', 'FOK', 'GTD'],
};

/** GraphQL's String types are loose: hold the input to the REST schema's rules before the engine sees it. */
function checkOrderInput(input: Record<string, unknown>): PlaceOrderInput {
  const errors: { path: string; message: string }[] = [];
  for (const [field, allowed] of Object.entries(ORDER_ENUMS)) {
    if (!allowed.includes(String(input[field]))) errors.push({ path: `/input/${field}`, message: `must be one of ${allowed.join(', ')}` });
  }
  for (const field of ['quantity', 'price', 'stopPrice']) {
    const value = input[field];
    if (value !== undefined && value !== null && (typeof value !== 'string' || !DECIMAL.test(value))) {
      errors.push({ path: `/input/${field}`, message: 'must be a plain decimal string' });
    }
  }
  if (!isUuid(input.accountId)) errors.push({ path: '/input/accountId', message: 'must be a UUID' });
  if (input.clientOrderId != null && !CODE.test(String(input.clientOrderId)))
    errors.push({ path: '/input/clientOrderId', message: 'must match ^[A-Za-z0-9_-]{1,36}$' });
  if (input.expiresAt != null && Number.isNaN(Date.parse(String(input.expiresAt))))
    errors.push({ path: '/input/expiresAt', message: 'must be an RFC 3339 time' });
  if (errors.length) throw new ValidationFailed(errors);
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== null && value !== undefined),
  ) as unknown as PlaceOrderInput;
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
    executions: async (
      _: unknown,
      args: { first?: number; after?: string | null; accountId?: string | null; orderId?: string | null; instrument?: string | null },
      ctx: GraphQLContext,
    ) =>
      connection(
        await ctx.db.withTenant(ctx.tenantId, (tx) =>
          listExecutions(tx, {
            limit: limitOf(args.first),
            cursor: args.after ?? null,
            ...(args.accountId ? { accountId: requireId(args.accountId, '/accountId') } : {}),
            ...(args.orderId ? { orderId: requireId(args.orderId, '/orderId') } : {}),
            ...(args.instrument ? { instrument: args.instrument } : {}),
          }),
        ),
      ),
    positions: async (_: unknown, args: { accountId?: string | null }, ctx: GraphQLContext) =>
      (
        await ctx.db.withTenant(ctx.tenantId, (tx) =>
          getPositions(tx, args.accountId ? { accountId: requireId(args.accountId, '/accountId') } : {}),
        )
      ).map(({ position, ...where }) => ({ ...where, ...position })),
    balances: (_: unknown, args: { accountId?: string | null }, ctx: GraphQLContext) =>
      ctx.db.withTenant(ctx.tenantId, (tx) =>
        getBalances(tx, args.accountId ? { accountId: requireId(args.accountId, '/accountId') } : {}),
      ),
    pnl: (_: unknown, args: { accountId?: string | null }, ctx: GraphQLContext) =>
      ctx.db.withTenant(ctx.tenantId, (tx) =>
        getPnl(tx, ctx.orderServices.paper, {
          now: Date.now(),
          ...(args.accountId ? { accountId: requireId(args.accountId, '/accountId') } : {}),
        }),
      ),
    order: (_: unknown, args: { id: string }, ctx: GraphQLContext) =>
      ctx.db.withTenant(ctx.tenantId, (tx) => getOrder(tx, requireId(args.id, '/id'))),
    orders: async (
      _: unknown,
      args: {
        first?: number;
        after?: string | null;
        accountId?: string | null;
        parentId?: string | null;
        instrument?: string | null;
        open?: boolean | null;
      },
      ctx: GraphQLContext,
    ) =>
      connection(
        await ctx.db.withTenant(ctx.tenantId, (tx) =>
          listOrders(tx, {
            limit: limitOf(args.first),
            cursor: args.after ?? null,
            ...(args.accountId ? { accountId: requireId(args.accountId, '/accountId') } : {}),
            ...(args.parentId ? { parentId: requireId(args.parentId, '/parentId') } : {}),
            ...(args.instrument ? { instrument: args.instrument } : {}),
            ...(args.open ? { open: true } : {}),
          }),
        ),
      ),
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
    // The same placeOrder as REST, after the same checks the REST schema makes.
    placeOrder: async (_: unknown, args: { input: Record<string, unknown> }, ctx: GraphQLContext) => {
      const input = checkOrderInput(args.input);
      if ((input.venue as string) === 'smart') {
        const { parent } = await placeSmartOrder(ctx.db, ctx.tenantId, { ...input, venue: 'smart' }, ctx.audit, ctx.orderServices);
        return parent;
      }
      return placeOrder(ctx.db, ctx.tenantId, input, ctx.audit, ctx.orderServices);
    },
    cancelOrder: (_: unknown, args: { id: string }, ctx: GraphQLContext) =>
      cancelOrder(ctx.db, ctx.tenantId, requireId(args.id, '/id'), ctx.audit, ctx.orderServices),
  },
  Subscription: {
    orderUpdates: {
      subscribe: (_: unknown, __: unknown, ctx: GraphQLContext) => ctx.pubsub.subscribe(`orders:${ctx.tenantId}`),
      resolve: (payload: { order: unknown }) => payload.order,
    },
    executions: {
      subscribe: (_: unknown, __: unknown, ctx: GraphQLContext) => ctx.pubsub.subscribe(`executions:${ctx.tenantId}`),
      resolve: (payload: { execution: unknown }) => payload.execution,
    },
    orderBook: {
      subscribe: (_: unknown, args: { instrument: string }, ctx: GraphQLContext) =>
        ctx.pubsub.subscribe(`books:${ctx.tenantId}:${args.instrument}`),
      resolve: (payload: { instrument: string; venue: string; bids: [string, string][]; asks: [string, string][] }) => ({
        instrument: payload.instrument,
        venue: payload.venue,
        bids: payload.bids.map(([price, quantity]) => ({ price, quantity })),
        asks: payload.asks.map(([price, quantity]) => ({ price, quantity })),
      }),
    },
  },
};

import { getBalances, getPnl, getPositions, listExecutions, listInstruments } from '@atrium/trading';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { tenantOf } from '../../plugins/app/auth.ts';
import { Nullable, Page, Timestamp, Uuid } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';

const Decimal = Type.String({ pattern: '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$' });
const Instrument = Type.String({ pattern: '^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$' });

const ExecutionRecord = Type.Object(
  {
    id: Uuid,
    orderId: Uuid,
    accountId: Uuid,
    instrument: Type.String(),
    venue: Type.String(),
    side: Type.Union([Type.Literal('buy'), Type.Literal('sell')]),
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    feeCurrency: Type.String(),
    liquidity: Type.Union([Type.Literal('maker'), Type.Literal('taker')]),
    executedAt: Timestamp,
  },
  { title: 'ExecutionRecord', additionalProperties: false },
);

const PositionSchema = Type.Object(
  {
    accountId: Uuid,
    instrument: Type.String(),
    base: Type.String(),
    quote: Type.String(),
    quantity: Decimal,
    averageCost: Nullable(Decimal),
    costBasis: Decimal,
    realizedPnl: Decimal,
    fees: Decimal,
  },
  { title: 'Position', additionalProperties: false },
);

const Amounts = {
  realizedPnl: Decimal,
  unrealizedPnl: Decimal,
  fees: Decimal,
  netPnl: Decimal,
  marketValue: Decimal,
};

const PnlSchema = Type.Object(
  {
    reportingCurrency: Type.String(),
    instruments: Type.Array(
      Type.Object(
        { instrument: Type.String(), base: Type.String(), quote: Type.String(), quantity: Decimal, ...Amounts },
        { additionalProperties: true },
      ),
    ),
    total: Type.Object(Amounts, { additionalProperties: true }),
  },
  { title: 'PnlSummary', additionalProperties: false },
);

const AccountQuery = Type.Object({ accountId: Type.Optional(Uuid) }, { additionalProperties: false });

const InstrumentSchema = Type.Object(
  {
    id: Type.String(),
    base: Type.String(),
    quote: Type.String(),
    tickSize: Decimal,
    lotSize: Decimal,
    minNotional: Decimal,
    dti: Nullable(Type.String({ description: 'ISO 24165 Digital Token Identifier of the base asset' })),
    isin: Nullable(Type.String()),
    venues: Type.Record(Type.String(), Type.String(), { description: 'Venue id → the venue’s own symbol' }),
  },
  { title: 'Instrument', additionalProperties: false },
);

const portfolio: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/instruments',
    {
      schema: {
        tags: ['orders'],
        summary: 'The instrument catalogue: unified ids, increments, identifiers and venue symbols',
        operationId: 'listInstruments',
        response: { 200: Type.Object({ items: Type.Array(InstrumentSchema) }, { additionalProperties: false }), ...problemResponses },
      },
    },
    async () => ({ items: [...listInstruments()] }),
  );

  app.get(
    '/executions',
    {
      schema: {
        tags: ['orders'],
        summary: 'Fills, newest first, each with its fee in its own currency',
        operationId: 'listExecutions',
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
            cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            accountId: Type.Optional(Uuid),
            orderId: Type.Optional(Uuid),
            instrument: Type.Optional(Instrument),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ExecutionRecord), ...problemResponses },
      },
    },
    async (request) =>
      app.db.withTenant(tenantOf(request), (tx) => listExecutions(tx, request.query as Parameters<typeof listExecutions>[1])),
  );

  app.get(
    '/positions',
    {
      schema: {
        tags: ['orders'],
        summary: 'Positions per account and instrument, at average cost',
        operationId: 'listPositions',
        querystring: AccountQuery,
        response: { 200: Type.Object({ items: Type.Array(PositionSchema) }, { additionalProperties: false }), ...problemResponses },
      },
    },
    async (request) => {
      const positions = await app.db.withTenant(tenantOf(request), (tx) => getPositions(tx, request.query as { accountId?: string }));
      return { items: positions.map(({ position, ...where }) => ({ ...where, ...position })) };
    },
  );

  app.get(
    '/balances',
    {
      schema: {
        tags: ['orders'],
        summary: 'Balances per account and currency: total from fills and fees, reserved by working orders, available',
        operationId: 'listBalances',
        querystring: AccountQuery,
        response: {
          200: Type.Object(
            {
              items: Type.Array(
                Type.Object(
                  { accountId: Uuid, currency: Type.String(), total: Decimal, reserved: Decimal, available: Decimal },
                  { title: 'Balance', additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => ({
      items: await app.db.withTenant(tenantOf(request), (tx) => getBalances(tx, request.query as { accountId?: string })),
    }),
  );

  app.get(
    '/pnl',
    {
      schema: {
        tags: ['orders'],
        summary: 'Realised and unrealised P&L marked to the mid, in the tenant’s reporting currency',
        operationId: 'getPnl',
        querystring: AccountQuery,
        response: { 200: PnlSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { accountId } = request.query as { accountId?: string };
      return app.db.withTenant(tenantOf(request), (tx) =>
        getPnl(tx, app.orderServices.paper, { now: Date.now(), ...(accountId ? { accountId } : {}) }),
      );
    },
  );
};

export default portfolio;

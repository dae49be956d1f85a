import {
  amendOrder,
  cancelOrder,
  cancelOrders,
  getOrder,
  listOrders,
  type PlaceOrderInput,
  placeOrder,
  placeSmartOrder,
} from '@atrium/trading';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { auditContextOf, tenantOf } from '../../plugins/app/auth.ts';
import { IdempotencyHeaders, IdParams, Page } from '../../schemas/common.ts';
import { AmendOrderBody, MassCancelBody, MassCancelResult, OrderListQuery, OrderSchema, PlaceOrderBody } from '../../schemas/order.ts';
import { problemResponses } from '../../schemas/problem.ts';

const orders: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/orders',
    {
      config: { idempotent: { bodyKey: 'clientOrderId' } },
      schema: {
        tags: ['orders'],
        summary: 'Place an order: pre-trade risk, then the venue; the reply carries its status and fills so far',
        operationId: 'placeOrder',
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: { 201: OrderSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const body = request.body as Omit<PlaceOrderInput, 'venue'> & { venue: PlaceOrderInput['venue'] | 'smart' };
      if (body.venue === 'smart') {
        const { parent, route } = await placeSmartOrder(
          app.db,
          tenantOf(request),
          { ...body, venue: 'smart' },
          auditContextOf(request),
          app.orderServices,
        );
        return reply
          .code(201)
          .header('location', `/v1/orders/${parent.id}`)
          .send({ ...parent, route });
      }
      const order = await placeOrder(app.db, tenantOf(request), body as PlaceOrderInput, auditContextOf(request), app.orderServices);
      return reply.code(201).header('location', `/v1/orders/${order.id}`).send(order);
    },
  );

  app.get(
    '/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'Orders, newest first',
        operationId: 'listOrders',
        querystring: OrderListQuery,
        response: { 200: Page(OrderSchema), ...problemResponses },
      },
    },
    async (request) => app.db.withTenant(tenantOf(request), (tx) => listOrders(tx, request.query as Parameters<typeof listOrders>[1])),
  );

  app.get(
    '/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'One order with its fills',
        operationId: 'getOrder',
        params: IdParams,
        response: { 200: OrderSchema, ...problemResponses },
      },
    },
    async (request) => app.db.withTenant(tenantOf(request), (tx) => getOrder(tx, request.params.id)),
  );

  app.patch(
    '/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'Amend price and/or quantity (total, not remaining)',
        operationId: 'amendOrder',
        params: IdParams,
        body: AmendOrderBody,
        response: { 200: OrderSchema, ...problemResponses },
      },
    },
    async (request) =>
      amendOrder(
        app.db,
        tenantOf(request),
        request.params.id,
        request.body as { price?: string; quantity?: string },
        auditContextOf(request),
        app.orderServices,
      ),
  );

  app.delete(
    '/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'Cancel one order',
        operationId: 'cancelOrder',
        params: IdParams,
        response: { 200: OrderSchema, ...problemResponses },
      },
    },
    async (request) => cancelOrder(app.db, tenantOf(request), request.params.id, auditContextOf(request), app.orderServices),
  );

  app.post(
    '/orders/cancel',
    {
      schema: {
        tags: ['orders'],
        summary: 'Mass cancel by account, instrument or venue (all open orders with no filter)',
        operationId: 'cancelOrders',
        body: MassCancelBody,
        response: { 200: MassCancelResult, ...problemResponses },
      },
    },
    async (request) =>
      cancelOrders(app.db, tenantOf(request), request.body as { accountId?: string }, auditContextOf(request), app.orderServices),
  );

  const INTERVALS = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 } as const;
  const micros = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
  app.get(
    '/candles',
    {
      schema: {
        tags: ['orders'],
        summary: 'OHLCV candles of the paper venue’s recent trades for an instrument',
        operationId: 'listCandles',
        querystring: Type.Object(
          {
            instrument: Type.String({ pattern: '^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$' }),
            interval: Type.Union(
              Object.keys(INTERVALS).map((k) => Type.Literal(k)),
              { default: '1m' },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              instrument: Type.String(),
              venue: Type.String(),
              interval: Type.String(),
              items: Type.Array(
                Type.Object(
                  {
                    openTime: Type.String({ format: 'date-time' }),
                    closeTime: Type.String({ format: 'date-time' }),
                    open: Type.String(),
                    high: Type.String(),
                    low: Type.String(),
                    close: Type.String(),
                    volume: Type.String(),
                    trades: Type.Integer(),
                  },
                  { additionalProperties: false },
                ),
              ),
            },
            { additionalProperties: false },
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { instrument, interval } = request.query as { instrument: string; interval: keyof typeof INTERVALS };
      const items = app.orderServices.paper
        .candles(tenantOf(request), instrument, INTERVALS[interval])
        .map((c) => ({ ...c, openTime: micros(c.openTime), closeTime: micros(c.closeTime) }));
      return { instrument, venue: 'paper', interval, items };
    },
  );

  app.get(
    '/order-book',
    {
      schema: {
        tags: ['orders'],
        summary: 'The paper venue’s book for an instrument, aggregated by price level',
        operationId: 'getOrderBook',
        querystring: Type.Object(
          {
            instrument: Type.String({ pattern: '^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$' }),
            depth: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object(
            {
              instrument: Type.String(),
              venue: Type.String(),
              bids: Type.Array(Type.Tuple([Type.String(), Type.String()])),
              asks: Type.Array(Type.Tuple([Type.String(), Type.String()])),
            },
            { additionalProperties: false },
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { instrument, depth } = request.query as { instrument: string; depth: number };
      const book = app.orderServices.paper.snapshot(tenantOf(request), instrument, depth, Date.now());
      return { instrument, venue: 'paper', ...book };
    },
  );
};

export default orders;

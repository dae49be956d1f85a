import { type Static, Type } from '@sinclair/typebox';
import { Nullable, Timestamp, Uuid } from './common.ts';

const Decimal = Type.String({ pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$', maxLength: 40, description: 'Plain decimal string' });
const ClientOrderId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,36}$' });
const Side = Type.Union([Type.Literal('buy'), Type.Literal('sell')]);
const OrderType = Type.Union([Type.Literal('market'), Type.Literal('limit'), Type.Literal('stop-limit')]);
const TimeInForce = Type.Union([Type.Literal('GTC'), Type.Literal('IOC'), Type.Literal('FOK'), Type.Literal('GTD')]);
const OrderStatus = Type.Union(
  [
    'pending-new',
    'new',
    'partially-filled',
    'filled',
    'cancelled',
    'rejected',
    'expired',
    'pending-cancel',
    'pending-replace',
    'unknown',
  ].map((s) => Type.Literal(s)),
);

export const PlaceOrderBody = Type.Object(
  {
    accountId: Uuid,
    instrument: Type.String({ pattern: '^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$', examples: ['BTC-USD'] }),
    venue: Type.Union(
      [Type.Literal('paper'), Type.Literal('binance'), Type.Literal('coinbase'), Type.Literal('kraken'), Type.Literal('smart')],
      {
        description:
          'paper; a live venue for which the account has keys (PUT /v1/accounts/{id}/venue-keys/{venue}); or smart, split by the router across them',
      },
    ),
    side: Side,
    type: OrderType,
    timeInForce: TimeInForce,
    quantity: Decimal,
    price: Type.Optional(Decimal),
    stopPrice: Type.Optional(Decimal),
    postOnly: Type.Optional(Type.Boolean()),
    reduceOnly: Type.Optional(Type.Boolean({ description: 'Only shrinks the account’s position; paper venue only' })),
    expiresAt: Type.Optional(Timestamp),
    clientOrderId: Type.Optional(ClientOrderId),
  },
  { additionalProperties: false },
);
export type PlaceOrderBody = Static<typeof PlaceOrderBody>;

export const ExecutionSchema = Type.Object(
  {
    id: Uuid,
    orderId: Uuid,
    quantity: Decimal,
    price: Decimal,
    fee: Decimal,
    feeCurrency: Type.String(),
    liquidity: Type.Union([Type.Literal('maker'), Type.Literal('taker')]),
    executedAt: Timestamp,
  },
  { title: 'Execution', additionalProperties: false },
);

export const OrderSchema = Type.Object(
  {
    id: Uuid,
    parentId: Nullable(Uuid),
    clientOrderId: Type.String(),
    accountId: Uuid,
    instrument: Type.String(),
    venue: Type.String(),
    side: Side,
    type: OrderType,
    timeInForce: TimeInForce,
    postOnly: Type.Boolean(),
    quantity: Decimal,
    price: Nullable(Decimal),
    stopPrice: Nullable(Decimal),
    expiresAt: Nullable(Timestamp),
    status: OrderStatus,
    cumQuantity: Decimal,
    leavesQuantity: Decimal,
    avgPrice: Nullable(Decimal),
    rejectReason: Nullable(Type.String()),
    fills: Type.Array(ExecutionSchema),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    // Optional: an order answered before the field existed is replayed as it was.
    triggeredAt: Type.Optional(Nullable(Timestamp)),
    route: Type.Optional(
      Type.Object(
        {
          children: Type.Array(
            Type.Object(
              {
                venue: Type.String(),
                quantity: Decimal,
                limitPrice: Decimal,
                expectedAveragePrice: Decimal,
                expectedFee: Decimal,
                expectedCost: Decimal,
              },
              { additionalProperties: false },
            ),
          ),
          childOrders: Type.Array(
            Type.Object(
              { orderId: Uuid, venue: Type.String(), status: Type.String(), cumQuantity: Decimal },
              { additionalProperties: false },
            ),
          ),
          failedChildren: Type.Array(Type.Object({ venue: Type.String(), code: Type.String() }, { additionalProperties: false })),
          filledQuantity: Decimal,
          unfilledQuantity: Decimal,
          expectedAveragePrice: Nullable(Decimal),
          bestSingleVenue: Nullable(
            Type.Object(
              { venue: Type.String(), expectedAveragePrice: Decimal, fillableQuantity: Decimal },
              { additionalProperties: false },
            ),
          ),
          savingBps: Type.String({ description: 'Expected saving against the best single venue, in basis points' }),
        },
        { additionalProperties: false, description: 'Smart orders only: the plan and what each child did' },
      ),
    ),
  },
  { title: 'Order', additionalProperties: false },
);

export const AmendOrderBody = Type.Object(
  { price: Type.Optional(Decimal), quantity: Type.Optional(Decimal) },
  { additionalProperties: false, minProperties: 1 },
);

export const MassCancelBody = Type.Object(
  {
    accountId: Type.Optional(Uuid),
    instrument: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$' })),
    venue: Type.Optional(Type.String({ pattern: '^[a-z]{2,20}$' })),
  },
  { additionalProperties: false },
);

export const MassCancelResult = Type.Object(
  {
    cancelled: Type.Array(OrderSchema),
    failed: Type.Array(Type.Object({ orderId: Uuid, code: Type.String() }, { additionalProperties: false }), {
      description: 'Orders that could not be cancelled now (a venue that failed); the rest were not held up by them',
    }),
  },
  { additionalProperties: false },
);

export const OrderListQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    accountId: Type.Optional(Uuid),
    parentId: Type.Optional(Uuid),
    instrument: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{2,10}-[A-Z0-9]{2,10}$' })),
    status: Type.Optional(OrderStatus),
    open: Type.Optional(Type.Boolean({ description: 'Only orders still working' })),
  },
  { additionalProperties: false },
);

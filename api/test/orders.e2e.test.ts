import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyPaperTick } from '@atrium/trading';
import request from 'supertest';
import { buildWorld, type World } from './helpers.ts';

let w: World;
let trader: Record<string, string>;
let otherTrader: Record<string, string>;
let accountA: string;
let accountB: string;

before(async () => {
  w = await buildWorld({ prefix: 'ord' });
  trader = await w.as(w.tenants.a, 'trader');
  otherTrader = await w.as(w.tenants.b, 'trader');
  accountA = (w.tenants.a.accounts[0] as { id: string }).id;
  accountB = (w.tenants.a.accounts[1] as { id: string }).id;
});
after(() => w.close());

interface OrderBody {
  id: string;
  status: string;
  cumQuantity: string;
  leavesQuantity: string;
  avgPrice: string | null;
  rejectReason: string | null;
  fills: { quantity: string; price: string; fee: string; liquidity: string }[];
  triggeredAt: string | null;
}

const http = () => request(w.baseUrl);

async function place(body: Record<string, unknown>, headers = trader, expected = 201): Promise<OrderBody> {
  const response = await http()
    .post('/v1/orders')
    .set(headers)
    .send({ accountId: accountA, instrument: 'BTC-USD', venue: 'paper', ...body });
  assert.equal(response.status, expected, JSON.stringify(response.body));
  return response.body;
}

async function book(): Promise<{ bids: [string, string][]; asks: [string, string][] }> {
  return (await http().get('/v1/order-book?instrument=BTC-USD&depth=20').set(trader).expect(200)).body;
}

describe('orders on the paper venue, over HTTP', () => {
  test('a limit order away from the market rests as new', async () => {
    const order = await place({ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.01', price: '60000' });
    assert.equal(order.status, 'new');
    assert.equal(order.leavesQuantity, '0.01');
    assert.deepEqual(order.fills, []);
    const read = (await http().get(`/v1/orders/${order.id}`).set(trader).expect(200)).body;
    assert.equal(read.status, 'new');
    const levels = (await book()).bids.map(([price]) => price);
    assert.ok(levels.includes('60000'));
  });

  test('a partial fill against the market, then the rest filled by a later order', async () => {
    const [bestAsk, askQuantity] = (await book()).asks[0] as [string, string];
    // Ask for more than the best level holds, at its price: part fills, the rest rests as the new best bid.
    const extra = '0.003';
    const quantity = (Number.parseFloat(askQuantity) + 0.003).toFixed(5); // test arithmetic only; the API takes strings
    const buy = await place({ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity, price: bestAsk });
    assert.equal(buy.status, 'partially-filled');
    assert.equal(buy.cumQuantity, askQuantity);
    assert.equal(buy.leavesQuantity, extra);
    assert.equal(buy.avgPrice, bestAsk);
    assert.equal(buy.fills[0]?.liquidity, 'taker');

    // Another account of the same tenant sells into it: it is the best bid, so it fills completely.
    const sell = await place({ accountId: accountB, side: 'sell', type: 'limit', timeInForce: 'GTC', quantity: extra, price: bestAsk });
    assert.equal(sell.status, 'filled');
    const filled = (await http().get(`/v1/orders/${buy.id}`).set(trader).expect(200)).body as OrderBody;
    assert.equal(filled.status, 'filled');
    assert.equal(filled.leavesQuantity, '0');
    assert.equal(filled.fills.length, 2);
    assert.equal(filled.fills[1]?.liquidity, 'maker');
    assert.ok(filled.fills.every((f) => /^\d+(\.\d+)?$/.test(f.fee)));
  });

  test('amend then cancel a resting order', async () => {
    const order = await place({ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.02', price: '61000' });
    const amended = (await http().patch(`/v1/orders/${order.id}`).set(trader).send({ price: '61000.5', quantity: '0.03' }).expect(200))
      .body;
    assert.equal(amended.status, 'new');
    assert.equal(amended.price, '61000.5');
    assert.equal(amended.quantity, '0.03');
    assert.equal(amended.leavesQuantity, '0.03');
    const cancelled = (await http().delete(`/v1/orders/${order.id}`).set(trader).expect(200)).body;
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(cancelled.leavesQuantity, '0');
    const again = await http().delete(`/v1/orders/${order.id}`).set(trader).expect(422);
    assert.equal(again.body.code, 'TRD_ERR_ORDER_NOT_OPEN');
    const levels = (await book()).bids.map(([price]) => price);
    assert.ok(!levels.includes('61000.5'));
  });

  test('IOC: fills what it can at once and cancels the rest; away from the market it just cancels', async () => {
    const [bestAsk, askQuantity] = (await book()).asks[0] as [string, string];
    const ioc = await place({ side: 'buy', type: 'limit', timeInForce: 'IOC', quantity: '5', price: bestAsk });
    assert.equal(ioc.status, 'cancelled');
    assert.equal(ioc.cumQuantity, askQuantity);
    assert.equal(ioc.leavesQuantity, '0');
    const away = await place({ side: 'buy', type: 'limit', timeInForce: 'IOC', quantity: '0.01', price: '50000' });
    assert.equal(away.status, 'cancelled');
    assert.deepEqual(away.fills, []);
  });

  test('FOK: all or nothing', async () => {
    const asks = (await book()).asks;
    const [bestAsk, askQuantity] = asks[0] as [string, string];
    const tooBig = await place({ side: 'buy', type: 'limit', timeInForce: 'FOK', quantity: '1000', price: bestAsk });
    assert.equal(tooBig.status, 'rejected');
    assert.equal(tooBig.rejectReason, 'fok-not-fillable');
    assert.deepEqual(tooBig.fills, []);
    assert.deepEqual((await book()).asks[0], [bestAsk, askQuantity], 'the book is unchanged');
    const fits = await place({ side: 'buy', type: 'limit', timeInForce: 'FOK', quantity: askQuantity, price: bestAsk });
    assert.equal(fits.status, 'filled');
  });

  test('post-only that would take is rejected without a fill', async () => {
    const [bestAsk] = (await book()).asks[0] as [string, string];
    const order = await place({ side: 'buy', type: 'limit', timeInForce: 'GTC', postOnly: true, quantity: '0.01', price: bestAsk });
    assert.equal(order.status, 'rejected');
    assert.equal(order.rejectReason, 'post-only-would-take');
    assert.deepEqual(order.fills, []);
  });

  test('GTD orders expire', async () => {
    const expiresAt = new Date(Date.now() + 300).toISOString();
    const order = await place({ side: 'buy', type: 'limit', timeInForce: 'GTD', expiresAt, quantity: '0.01', price: '59000' });
    assert.equal(order.status, 'new');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await applyPaperTick(w.t.db, w.app.orderServices, Date.now());
    const read = (await http().get(`/v1/orders/${order.id}`).set(trader).expect(200)).body;
    assert.equal(read.status, 'expired');
    assert.equal(read.leavesQuantity, '0');
  });

  test('mass cancel by account leaves other accounts’ orders working', async () => {
    const mine = [
      await place({ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.01', price: '58000' }),
      await place({ side: 'sell', type: 'limit', timeInForce: 'GTC', quantity: '0.01', price: '72000' }),
    ];
    const other = await place({ accountId: accountB, side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.01', price: '57000' });
    const result = (await http().post('/v1/orders/cancel').set(trader).send({ accountId: accountA }).expect(200)).body;
    const cancelled = new Set(result.cancelled.map((o: { id: string }) => o.id));
    for (const order of mine) assert.ok(cancelled.has(order.id));
    assert.ok(!cancelled.has(other.id));
    assert.equal((await http().get(`/v1/orders/${other.id}`).set(trader).expect(200)).body.status, 'new');
    const open = (await http().get(`/v1/orders?accountId=${accountA}&open=true`).set(trader).expect(200)).body.items;
    assert.deepEqual(open, []);
  });

  test('stop-limit: held off the book until the market reaches the stop, then a limit order', async () => {
    const [bestAsk] = (await book()).asks[0] as [string, string];
    const held = await place({ side: 'buy', type: 'stop-limit', timeInForce: 'GTC', quantity: '0.01', stopPrice: '90000', price: '90000' });
    assert.equal(held.status, 'new');
    assert.deepEqual(held.fills, []);
    assert.equal(held.triggeredAt, null);
    assert.ok(!(await book()).bids.some(([price]) => price === '90000'), 'a held stop is not in the book');
    // A buy stop below where the market trades has been reached: it becomes a limit order at once and trades.
    const triggered = await place({
      side: 'buy',
      type: 'stop-limit',
      timeInForce: 'IOC',
      quantity: '0.001',
      stopPrice: '60000',
      price: bestAsk,
    });
    assert.equal(triggered.status, 'filled');
    assert.match(
      triggered.triggeredAt ?? '',
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
      'triggered on arrival, UTC with microseconds',
    );
    const cancelled = (await http().delete(`/v1/orders/${held.id}`).set(trader).expect(200)).body;
    assert.equal(cancelled.status, 'cancelled');
    const refused = await http()
      .post('/v1/orders')
      .set(trader)
      .send({
        accountId: accountA,
        instrument: 'BTC-USD',
        venue: 'paper',
        side: 'buy',
        type: 'stop-limit',
        timeInForce: 'GTC',
        quantity: '0.01',
        price: '90000',
      })
      .expect(422);
    assert.equal(refused.body.code, 'TRD_ERR_INVALID_ORDER');
  });

  test('a held GTD stop expires like a resting order', async () => {
    const expiresAt = new Date(Date.now() + 300).toISOString();
    const held = await place({
      side: 'buy',
      type: 'stop-limit',
      timeInForce: 'GTD',
      expiresAt,
      quantity: '0.01',
      stopPrice: '95000',
      price: '95000',
    });
    assert.equal(held.status, 'new');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await applyPaperTick(w.t.db, w.app.orderServices, Date.now());
    assert.equal((await http().get(`/v1/orders/${held.id}`).set(trader).expect(200)).body.status, 'expired');
  });

  test('market orders take liquidity; bad orders are refused with codes', async () => {
    const market = await place({ side: 'sell', type: 'market', timeInForce: 'IOC', quantity: '0.002' });
    assert.equal(market.status, 'filled');
    for (const [body, status, code] of [
      [{ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.000001', price: '60000' }, 422, 'TRD_ERR_ROUNDS_TO_ZERO'],
      [{ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.00001', price: '1' }, 422, 'TRD_ERR_BELOW_MIN_NOTIONAL'],
      [{ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.01' }, 422, 'TRD_ERR_INVALID_ORDER'],
      [
        { side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.01', price: '60000', instrument: 'DOGE-EUR' },
        422,
        'TRD_ERR_UNKNOWN_INSTRUMENT',
      ],
      [{ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: 0.01, price: '60000' }, 400, 'API_ERR_VALIDATION'],
      [{ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '1e-2', price: '60000' }, 400, 'API_ERR_VALIDATION'],
    ] as const) {
      const response = await http()
        .post('/v1/orders')
        .set(trader)
        .send({ accountId: accountA, instrument: 'BTC-USD', venue: 'paper', ...body });
      assert.equal(response.status, status, JSON.stringify(body));
      assert.equal(response.body.code, code);
    }
  });

  test('the paper venue’s trades come back as candles', async () => {
    const body = (await http().get('/v1/candles?instrument=BTC-USD&interval=1h').set(trader).expect(200)).body;
    assert.equal(body.interval, '1h');
    assert.ok(body.items.length >= 1, 'earlier tests traded');
    const [candle] = body.items;
    assert.match(candle.openTime, /^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000000Z$/);
    for (const field of ['open', 'high', 'low', 'close', 'volume']) assert.match(candle[field], /^\d+(\.\d+)?$/, field);
    assert.ok(candle.trades >= 1);
  });

  test('every order change is audited with its order', async () => {
    const events = (
      await http()
        .get('/v1/audit-events?limit=500')
        .set(await w.as(w.tenants.a, 'compliance-officer'))
        .expect(200)
    ).body.items;
    const actions = new Set(events.map((e: { action: string }) => e.action));
    for (const action of ['order.placed', 'order.filled', 'order.cancelled', 'order.expired', 'order.amended']) {
      assert.ok(actions.has(action), `no ${action} in the audit trail`);
    }
  });
});

describe('order isolation and idempotency', () => {
  test('another tenant’s order is a 404 for reading, amending and cancelling', async () => {
    const order = await place({ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.01', price: '56000' });
    await http().get(`/v1/orders/${order.id}`).set(otherTrader).expect(404);
    await http().patch(`/v1/orders/${order.id}`).set(otherTrader).send({ price: '56001' }).expect(404);
    await http().delete(`/v1/orders/${order.id}`).set(otherTrader).expect(404);
    assert.equal((await http().get(`/v1/orders/${order.id}`).set(trader).expect(200)).body.status, 'new');
    const theirs = (await http().get('/v1/orders?limit=500').set(otherTrader).expect(200)).body.items;
    assert.ok(!theirs.some((o: { id: string }) => o.id === order.id));
    // Another tenant's account cannot be traded either.
    await http()
      .post('/v1/orders')
      .set(otherTrader)
      .send({
        accountId: accountA,
        instrument: 'BTC-USD',
        venue: 'paper',
        side: 'buy',
        type: 'limit',
        timeInForce: 'GTC',
        quantity: '0.01',
        price: '56000',
      })
      .expect(404);
  });

  test('200 concurrent identical POSTs create exactly one order at the venue', async () => {
    const body = {
      accountId: accountA,
      instrument: 'BTC-USD',
      venue: 'paper',
      side: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '55555',
    };
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        w.app.inject({ method: 'POST', url: '/v1/orders', headers: { ...trader, 'idempotency-key': 'burst-1' }, payload: body }),
      ),
    );
    const created = responses.filter((r) => r.statusCode === 201);
    assert.ok(responses.every((r) => r.statusCode === 201 || r.statusCode === 409));
    assert.equal(new Set(created.map((r) => r.body)).size, 1);
    const [row] = await w.t.admin`select count(*)::int as n from orders where tenant_id = ${w.tenants.a.id} and price = 55555`;
    assert.equal(row?.n, 1);
    const level = (await book()).bids.find(([price]) => price === '55555');
    assert.deepEqual(level, ['55555', '0.01'], 'exactly one order rests at the venue');
    const replay = await w.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...trader, 'idempotency-key': 'burst-1' },
      payload: body,
    });
    assert.equal(replay.body, created[0]?.body);
    const different = await w.app.inject({
      method: 'POST',
      url: '/v1/orders',
      headers: { ...trader, 'idempotency-key': 'burst-1' },
      payload: { ...body, price: '55556' },
    });
    assert.equal(different.statusCode, 422);
  });

  test('a clientOrderId is an idempotency key too, per tenant', async () => {
    const body = { side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.01', price: '54321', clientOrderId: 'my-order-1' };
    const first = await place(body);
    const again = await place(body);
    assert.equal(again.id, first.id);
    const [row] = await w.t
      .admin`select count(*)::int as n from orders where tenant_id = ${w.tenants.a.id} and client_order_id = 'my-order-1'`;
    assert.equal(row?.n, 1);
    const otherAccount = (w.tenants.b.accounts[0] as { id: string }).id;
    const theirs = await place({ ...body, accountId: otherAccount }, otherTrader);
    assert.notEqual(theirs.id, first.id);
  });
});

describe('positions, executions and P&L', () => {
  test('follow the fills at average cost, marked to the mid', async () => {
    const { createAccount } = await import('@atrium/trading');
    const fresh = await w.t.db.withTenant(w.tenants.a.id, (tx) =>
      createAccount(tx, { code: 'PNL-1', name: 'P&L' }, { actor: { type: 'system', id: 'test' } }),
    );
    const [bestAsk, askQuantity] = (await book()).asks[0] as [string, string];
    const buy = await place({ accountId: fresh.id, side: 'buy', type: 'limit', timeInForce: 'IOC', quantity: '0.01', price: bestAsk });
    assert.equal(buy.status, 'filled', `needs ${askQuantity} ≥ 0.01 at the best ask`);
    const [bestBid] = (await book()).bids[0] as [string, string];
    const sell = await place({ accountId: fresh.id, side: 'sell', type: 'limit', timeInForce: 'IOC', quantity: '0.004', price: bestBid });
    assert.equal(sell.status, 'filled');

    const executions = (await http().get(`/v1/executions?accountId=${fresh.id}`).set(trader).expect(200)).body.items;
    assert.deepEqual(
      executions.map((e: { side: string; quantity: string; price: string }) => [e.side, e.quantity, e.price]),
      [
        ['sell', '0.004', bestBid],
        ['buy', '0.01', bestAsk],
      ],
    );
    const [position] = (await http().get(`/v1/positions?accountId=${fresh.id}`).set(trader).expect(200)).body.items;
    assert.equal(position.quantity, '0.006');
    assert.equal(Number.parseFloat(position.averageCost), Number.parseFloat(bestAsk)); // same decimal, compared loosely for trailing zeros only
    const realized = (Number.parseFloat(bestBid) - Number.parseFloat(bestAsk)) * 0.004; // test arithmetic; the API's is exact
    assert.ok(Math.abs(Number.parseFloat(position.realizedPnl) - realized) < 1e-9, `${position.realizedPnl} vs ${realized}`);

    const balances = (await http().get(`/v1/balances?accountId=${fresh.id}`).set(trader).expect(200)).body.items;
    const btc = balances.find((b: { currency: string }) => b.currency === 'BTC');
    assert.deepEqual([btc.total, btc.reserved, btc.available], ['0.006', '0', '0.006']);
    assert.ok(
      balances.some((b: { currency: string; total: string }) => b.currency === 'USD' && b.total.startsWith('-')),
      'paid for in USD',
    );
    const graph = await w.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: trader,
      payload: {
        query: 'query ($a: ID) { positions(accountId: $a) { quantity averageCost } balances(accountId: $a) { currency total } }',
        variables: { a: fresh.id },
      },
    });
    assert.deepEqual(graph.json().data.positions, [{ quantity: position.quantity, averageCost: position.averageCost }]);
    assert.equal(graph.json().data.balances.length, balances.length);

    // Reduce-only: may shrink the long, never grow it or flip it.
    const [bidNow] = (await book()).bids[0] as [string, string];
    const grows = await http()
      .post('/v1/orders')
      .set(trader)
      .send({
        accountId: fresh.id,
        instrument: 'BTC-USD',
        venue: 'paper',
        side: 'buy',
        type: 'limit',
        timeInForce: 'IOC',
        quantity: '0.001',
        price: bidNow,
        reduceOnly: true,
      })
      .expect(422);
    assert.equal(grows.body.code, 'TRD_ERR_REDUCE_ONLY');
    const flips = await http()
      .post('/v1/orders')
      .set(trader)
      .send({
        accountId: fresh.id,
        instrument: 'BTC-USD',
        venue: 'paper',
        side: 'sell',
        type: 'limit',
        timeInForce: 'IOC',
        quantity: '0.007',
        price: bidNow,
        reduceOnly: true,
      })
      .expect(422);
    assert.equal(flips.body.code, 'TRD_ERR_REDUCE_ONLY');
    const shrinks = await place({
      accountId: fresh.id,
      side: 'sell',
      type: 'limit',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '99999',
      reduceOnly: true,
    });
    assert.equal(shrinks.status, 'new');
    await http().delete(`/v1/orders/${shrinks.id}`).set(trader).expect(200);

    const pnl = (await http().get(`/v1/pnl?accountId=${fresh.id}`).set(trader).expect(200)).body;
    assert.equal(pnl.reportingCurrency, 'USD');
    assert.equal(pnl.instruments.length, 1);
    assert.match(pnl.total.unrealizedPnl, /^-?\d+(\.\d+)?$/);
    assert.match(pnl.total.fees, /^\d+(\.\d+)?$/);
    assert.ok(Number.parseFloat(pnl.total.fees) > 0, 'fees are booked');
  });
});

describe('smart order routing', () => {
  test('a smart order is split by the router into children that name their parent', async () => {
    const asks = (await book()).asks;
    const [, firstQuantity] = asks[0] as [string, string];
    const [secondPrice] = asks[1] as [string, string];
    // More than the best level holds: the plan walks two levels of the paper book.
    const quantity = (Number.parseFloat(firstQuantity) + 0.01).toFixed(5).replace(/\.?0+$/, ''); // test arithmetic only, plain like the API
    const response = await http()
      .post('/v1/orders')
      .set(trader)
      .send({
        accountId: accountA,
        instrument: 'BTC-USD',
        venue: 'smart',
        side: 'buy',
        type: 'limit',
        timeInForce: 'IOC',
        quantity,
        price: secondPrice,
      })
      .expect(201);
    const parent = response.body;
    assert.equal(parent.venue, 'smart');
    assert.equal(parent.status, 'filled');
    assert.equal(parent.cumQuantity, quantity);
    assert.equal(parent.route.filledQuantity, quantity);
    assert.equal(parent.route.savingBps, '0', 'one venue: nothing saved against itself');
    assert.deepEqual(
      parent.route.childOrders.map((c: { venue: string; status: string }) => [c.venue, c.status]),
      [['paper', 'filled']],
    );
    const children = (await http().get(`/v1/orders?parentId=${parent.id}`).set(trader).expect(200)).body.items;
    assert.deepEqual(
      children.map((c: { id: string; parentId: string }) => [c.id, c.parentId]),
      parent.route.childOrders.map((c: { orderId: string }) => [c.orderId, parent.id]),
    );
    assert.equal(children[0].price, secondPrice, 'the child is limited at the worst price the plan takes');
  });

  test('a smart order takes no options that would make it rest or wait', async () => {
    for (const extra of [{ timeInForce: 'GTC' }, { stopPrice: '60000' }, { reduceOnly: true }]) {
      const response = await http()
        .post('/v1/orders')
        .set(trader)
        .send({
          accountId: accountA,
          instrument: 'BTC-USD',
          venue: 'smart',
          side: 'buy',
          type: 'limit',
          timeInForce: 'IOC',
          quantity: '0.01',
          price: '60000',
          ...extra,
        })
        .expect(422);
      assert.equal(response.body.code, 'TRD_ERR_INVALID_ORDER', JSON.stringify(extra));
    }
  });

  test('the kill switch cancels what it can and carries on past an order whose state is in flight', async () => {
    const working = await place({ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.01', price: '52000' });
    const stuck = await place({ side: 'buy', type: 'limit', timeInForce: 'GTC', quantity: '0.01', price: '52001' });
    await w.t.admin`update orders set status = 'unknown' where id = ${stuck.id}`;
    const result = (await http().post('/v1/orders/cancel').set(trader).send({}).expect(200)).body;
    assert.ok(result.cancelled.some((o: { id: string }) => o.id === working.id));
    assert.ok(!result.cancelled.some((o: { id: string }) => o.id === stuck.id));
    assert.deepEqual(result.failed, []);
    await w.t.admin`update orders set status = 'new' where id = ${stuck.id}`;
    await http().delete(`/v1/orders/${stuck.id}`).set(trader).expect(200);
  });

  test('nothing within the limit is a 422', async () => {
    const response = await http()
      .post('/v1/orders')
      .set(trader)
      .send({
        accountId: accountA,
        instrument: 'BTC-USD',
        venue: 'smart',
        side: 'buy',
        type: 'limit',
        timeInForce: 'IOC',
        quantity: '0.01',
        price: '100',
      })
      .expect(422);
    assert.equal(response.body.code, 'TRD_ERR_NO_ROUTE');
  });
});

describe('GraphQL orders', () => {
  test('placeOrder through GraphQL takes the same path as REST: same checks, same result', async () => {
    const query = 'mutation ($input: PlaceOrderInput!) { placeOrder(input: $input) { id status venue leavesQuantity parentId } }';
    const input = {
      accountId: accountA,
      instrument: 'BTC-USD',
      venue: 'paper',
      side: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '53000',
    };
    const placed = await w.app.inject({ method: 'POST', url: '/graphql', headers: trader, payload: { query, variables: { input } } });
    const order = placed.json().data.placeOrder;
    assert.deepEqual({ ...order, id: undefined }, { id: undefined, status: 'new', venue: 'paper', leavesQuantity: '0.01', parentId: null });
    const rest = (await http().get(`/v1/orders/${order.id}`).set(trader).expect(200)).body;
    assert.equal(rest.status, 'new');
    const refused = await w.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: trader,
      payload: { query, variables: { input: { ...input, quantity: '0.000001' } } },
    });
    assert.equal(refused.json().errors[0].extensions.code, 'TRD_ERR_ROUNDS_TO_ZERO');
    const badEnum = await w.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: trader,
      payload: { query, variables: { input: { ...input, side: 'hold' } } },
    });
    assert.equal(badEnum.json().errors[0].extensions.code, 'API_ERR_VALIDATION');
    const viewer = await w.as(w.tenants.a, 'viewer');
    const forbidden = await w.app.inject({ method: 'POST', url: '/graphql', headers: viewer, payload: { query, variables: { input } } });
    assert.equal(forbidden.json().errors[0].extensions.code, 'IDN_ERR_FORBIDDEN');
  });
});

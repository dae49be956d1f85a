import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import WebSocket from 'ws';
import { buildWorld, secondProcess, type World } from './helpers.ts';

let w: World;
let second: FastifyInstance;
let secondUrl: string;

before(async () => {
  w = await buildWorld({ prefix: 'str' });
  // A second API process on the same database: subscriptions must see what the first one does.
  let port: number;
  ({ app: second, port } = await secondProcess(w));
  secondUrl = `ws://127.0.0.1:${port}/graphql`;
});
after(async () => {
  await second.close();
  await w.close();
});

/** A minimal graphql-transport-ws client: connection_init with the token, one subscription, collected `next` payloads. */
async function subscribe(url: string, token: string, query: string) {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  const received: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw));
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
        // The server registers the subscription asynchronously; give it a moment.
        setTimeout(resolve, 200);
      } else if (message.type === 'next') {
        received.push(message.payload.data);
      } else if (message.type === 'connection_error' || message.type === 'error') {
        reject(new Error(JSON.stringify(message)));
      }
    });
  });
  return { received, close: () => socket.close() };
}

async function until(predicate: () => boolean, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!predicate() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}

test('order updates and executions reach the tenant’s subscribers in another process, and never another tenant’s', async () => {
  const traderA = await w.token('str-alpha-trader');
  const viewerB = await w.token('str-beta-viewer');
  const mine = await subscribe(secondUrl, traderA, 'subscription { orderUpdates { id status instrument } }');
  const fills = await subscribe(secondUrl, traderA, 'subscription { executions { orderId quantity price liquidity } }');
  const theirs = await subscribe(secondUrl, viewerB, 'subscription { orderUpdates { id status } }');
  try {
    const book = (await request(w.baseUrl).get('/v1/order-book?instrument=BTC-USD').set('authorization', `Bearer ${traderA}`).expect(200))
      .body;
    const [bestAsk] = book.asks[0];
    const order = (
      await request(w.baseUrl)
        .post('/v1/orders')
        .set('authorization', `Bearer ${traderA}`)
        .send({
          accountId: w.tenants.a.accounts[0]?.id,
          instrument: 'BTC-USD',
          venue: 'paper',
          side: 'buy',
          type: 'limit',
          timeInForce: 'IOC',
          quantity: '0.01',
          price: bestAsk,
        })
        .expect(201)
    ).body;
    await until(() => fills.received.length > 0 && mine.received.length > 0);
    const updates = mine.received.map((d) => (d.orderUpdates as { id: string; status: string }) ?? {});
    assert.ok(
      updates.some((u) => u.id === order.id && u.status === order.status),
      JSON.stringify(updates),
    );
    const executions = fills.received.map((d) => d.executions as { orderId: string; price: string });
    assert.ok(
      executions.some((e) => e.orderId === order.id && e.price === bestAsk),
      JSON.stringify(executions),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(theirs.received, [], 'another tenant’s subscriber received nothing');
  } finally {
    mine.close();
    fills.close();
    theirs.close();
  }
});

test('a subscription without a valid token is refused', async () => {
  await assert.rejects(subscribe(secondUrl, 'not-a-token', 'subscription { orderUpdates { id } }'), /Forbidden|connection_error|error/);
});

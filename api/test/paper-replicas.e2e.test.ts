import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { buildWorld, secondProcess, type World } from './helpers.ts';

/*
 * Two API processes on one database. The first takes a GTD order and runs no
 * ticks (as if it had gone away); the second never saw the book, and its
 * background adoption and ticks (short intervals here) must take the book up
 * and expire the order. Then the first trades the book again and finds its
 * copy overtaken: it rebuilds it rather than trusting it.
 */

let w: World;
let second: FastifyInstance;
let secondUrl: string;
let trader: Record<string, string>;
let accountId: string;

before(async () => {
  w = await buildWorld({ prefix: 'rep' });
  trader = await w.as(w.tenants.a, 'trader');
  accountId = (w.tenants.a.accounts[0] as { id: string }).id;
  let port: number;
  ({ app: second, port } = await secondProcess(w, { tickIntervalMs: 25, adoptIntervalMs: 50 }));
  secondUrl = `http://127.0.0.1:${port}`;
});
after(async () => {
  await second.close();
  await w.close();
});

/** The quantity bid at a price (as the book writes it: '41000') in a process's copy of the book, if any. */
async function bidAt(baseUrl: string, price: string): Promise<string | undefined> {
  const book = (await request(baseUrl).get('/v1/order-book?instrument=BTC-USD&depth=20').set(trader).expect(200)).body;
  return (book.bids as [string, string][]).find(([at]) => at === price)?.[1];
}

/** A BTC-USD limit order of the trader's account, through a process. */
async function place(baseUrl: string, order: Record<string, string>): Promise<{ id: string; status: string }> {
  const body = { accountId, instrument: 'BTC-USD', venue: 'paper', type: 'limit', quantity: '0.01', ...order };
  return (await request(baseUrl).post('/v1/orders').set(trader).send(body).expect(201)).body;
}

async function statusOf(baseUrl: string, id: string): Promise<string> {
  return (await request(baseUrl).get(`/v1/orders/${id}`).set(trader).expect(200)).body.status;
}

test('a book the first process no longer ticks is adopted by the second, which expires its GTD order', async () => {
  const expiresAt = new Date(Date.now() + 500).toISOString();
  const placed = await place(w.baseUrl, { side: 'buy', timeInForce: 'GTD', expiresAt, price: '41000' });
  assert.equal(placed.status, 'new');
  // No deadline on how fast, only that it happens: polled for up to ten seconds.
  const deadline = Date.now() + 10_000;
  let status = await statusOf(secondUrl, placed.id);
  while (status === 'new' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = await statusOf(secondUrl, placed.id);
  }
  assert.equal(status, 'expired');
  assert.ok(Date.now() >= Date.parse(expiresAt), 'not before its time');

  // The first process's copy still shows the order (it runs no ticks, nor adoption); trading the book rebuilds it from the record.
  assert.ok(await bidAt(w.baseUrl, '41000'), 'the first copy is behind');
  await place(w.baseUrl, { side: 'buy', timeInForce: 'GTC', price: '40000' });
  assert.equal(await bidAt(w.baseUrl, '41000'), undefined, 'rebuilt without the expired order');
  assert.ok(await bidAt(w.baseUrl, '40000'));
});

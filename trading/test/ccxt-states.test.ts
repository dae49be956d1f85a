import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mapOrderStatus, type OrderStatusFacts } from '../src/venues/ccxt/states.ts';

const facts = (overrides: Partial<OrderStatusFacts>): OrderStatusFacts => ({
  exchange: 'binance',
  venueStatus: null,
  ccxtStatus: null,
  quantity: '1',
  cumQuantity: '0',
  fallback: 'unknown',
  ...overrides,
});

test("the venue's own status wins where ccxt's unified one loses information", () => {
  // ccxt maps coinbase EXPIRED and FAILED to 'canceled'.
  assert.equal(mapOrderStatus(facts({ exchange: 'coinbase', venueStatus: 'EXPIRED', ccxtStatus: 'canceled' })), 'expired');
  assert.equal(mapOrderStatus(facts({ exchange: 'coinbase', venueStatus: 'FAILED', ccxtStatus: 'canceled' })), 'rejected');
  assert.equal(
    mapOrderStatus(facts({ exchange: 'coinbase', venueStatus: 'CANCEL_QUEUED', ccxtStatus: 'CANCEL_QUEUED' })),
    'pending-cancel',
  );
  // ccxt maps binance PENDING_CANCEL to 'canceling' and kraken 'pending' to 'open'.
  assert.equal(mapOrderStatus(facts({ venueStatus: 'PENDING_CANCEL', ccxtStatus: 'canceling' })), 'pending-cancel');
  assert.equal(mapOrderStatus(facts({ exchange: 'kraken', venueStatus: 'pending', ccxtStatus: 'open' })), 'pending-new');
  assert.equal(mapOrderStatus(facts({ venueStatus: 'EXPIRED_IN_MATCH', ccxtStatus: 'expired' })), 'expired');
});

test('a working order is new or partially filled by what has filled', () => {
  assert.equal(mapOrderStatus(facts({ venueStatus: 'NEW', ccxtStatus: 'open' })), 'new');
  assert.equal(mapOrderStatus(facts({ venueStatus: 'PARTIALLY_FILLED', ccxtStatus: 'open', cumQuantity: '0.4' })), 'partially-filled');
  assert.equal(mapOrderStatus(facts({ exchange: 'coinbase', venueStatus: 'OPEN', cumQuantity: '0.00000001' })), 'partially-filled');
  assert.equal(mapOrderStatus(facts({ exchange: 'kraken', venueStatus: 'open', cumQuantity: '1' })), 'filled');
});

test('a finished order is filled only if all of it filled', () => {
  assert.equal(mapOrderStatus(facts({ exchange: 'kraken', venueStatus: 'closed', cumQuantity: '1' })), 'filled');
  assert.equal(mapOrderStatus(facts({ exchange: 'kraken', venueStatus: 'closed', cumQuantity: '0.3' })), 'cancelled');
  assert.equal(mapOrderStatus(facts({ ccxtStatus: 'closed', quantity: '0.1', cumQuantity: '0.10000000' })), 'filled');
});

test("ccxt's unified status is the fallback, then the call's own", () => {
  assert.equal(mapOrderStatus(facts({ venueStatus: 'SOMETHING_NEW', ccxtStatus: 'canceled', cumQuantity: '0.5' })), 'cancelled');
  assert.equal(mapOrderStatus(facts({ ccxtStatus: 'rejected' })), 'rejected');
  assert.equal(mapOrderStatus(facts({ fallback: 'new' })), 'new');
  assert.equal(mapOrderStatus(facts({ venueStatus: 'constructor', ccxtStatus: 'toString', fallback: 'pending-cancel' })), 'pending-cancel');
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkNotionalLimit, InvalidDecimalError, notional } from '../src/index.ts';

test('notional is exact where binary floating point is not', () => {
  assert.equal(notional('0.1', '0.2'), '0.02');
  assert.equal(notional('3', '0.1'), '0.3');
  assert.notEqual(3 * 0.1, 0.3);
  assert.equal(notional('0.00012', '65000.5'), '7.80006');
  assert.equal(notional('123456789.123456789', '98765.4321'), '12193263123456.7900112635269');
});

test('notional never uses exponent notation', () => {
  assert.equal(notional('0.00000001', '0.00000001'), '0.0000000000000001');
  assert.equal(notional('100000000000000000000', '1000'), '100000000000000000000000');
});

test('an order exactly at the limit passes; one satoshi over is a breach with the excess', () => {
  assert.equal(checkNotionalLimit({ quantity: '2', price: '50000' }, '100000'), null);
  assert.deepEqual(checkNotionalLimit({ quantity: '2.00000001', price: '50000' }, '100000'), {
    code: 'RISK_ERR_LIMIT_BREACHED',
    limit: '100000',
    notional: '100000.0005',
    excess: '0.0005',
  });
});

test('refuses numbers that are not plain decimal strings', () => {
  for (const bad of ['1e3', '-1', '', ' 1', '1.', '.5', 'NaN', 'Infinity', '0x10', '01']) {
    assert.throws(() => notional(bad, '1'), InvalidDecimalError, bad);
  }
});

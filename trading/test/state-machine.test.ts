import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyOrderEvent,
  createOrderState,
  InvalidOrderEventError,
  InvalidTransitionError,
  type OrderEvent,
  type OrderState,
} from '../src/orders/state-machine.ts';

function run(state: OrderState, ...events: OrderEvent[]): OrderState {
  return events.reduce(applyOrderEvent, state);
}

const working = (quantity = '1', price = '100') => run(createOrderState({ quantity, price }), { type: 'accepted' });

function assertRefused(state: OrderState, event: OrderEvent, code = 'TRD_ERR_INVALID_TRANSITION'): void {
  const before = structuredClone(state);
  assert.throws(() => applyOrderEvent(state, event), { code });
  assert.deepEqual(state, before);
}

describe('order state machine', () => {
  test('a new order is pending-new with everything left to fill', () => {
    assert.deepEqual(createOrderState({ quantity: '2.50', price: '65000.5' }), {
      status: 'pending-new',
      quantity: '2.5',
      price: '65000.5',
      cumQuantity: '0',
      leavesQuantity: '2.5',
      avgPrice: null,
      cumNotional: '0',
      pendingReplace: null,
    });
  });

  test('fills accumulate into partially-filled and then filled, with the exact volume-weighted average', () => {
    const partly = run(working('3'), { type: 'fill', quantity: '1', price: '100' }, { type: 'fill', quantity: '0.5', price: '101.5' });
    assert.equal(partly.status, 'partially-filled');
    assert.equal(partly.cumQuantity, '1.5');
    assert.equal(partly.leavesQuantity, '1.5');
    assert.equal(partly.avgPrice, '100.5');
    const done = applyOrderEvent(partly, { type: 'fill', quantity: '1.5', price: '99.1' });
    assert.equal(done.status, 'filled');
    assert.equal(done.leavesQuantity, '0');
    assert.equal(done.cumNotional, '299.4');
    assert.equal(done.avgPrice, '99.8');
  });

  test('an average that does not terminate keeps the notional exact and rounds only the quotient', () => {
    const state = run(working('3'), { type: 'fill', quantity: '1', price: '1' }, { type: 'fill', quantity: '2', price: '2' });
    assert.equal(state.cumNotional, '5');
    assert.equal(state.avgPrice, '1.666666666666666666666666666666666666667');
  });

  test('no floating-point drift on 0.1 + 0.2 style fills', () => {
    const state = run(working('0.3'), { type: 'fill', quantity: '0.1', price: '0.1' }, { type: 'fill', quantity: '0.2', price: '0.2' });
    assert.equal(state.status, 'filled');
    assert.equal(state.cumQuantity, '0.3');
    assert.equal(state.cumNotional, '0.05');
  });

  test('a fill before the acknowledgement implies it', () => {
    const state = applyOrderEvent(createOrderState({ quantity: '1' }), { type: 'fill', quantity: '0.4', price: '10' });
    assert.equal(state.status, 'partially-filled');
    assert.equal(state.price, null);
  });

  test('refuses a fill above the leaves quantity and leaves the state as it was', () => {
    const state = run(working('1'), { type: 'fill', quantity: '0.6', price: '100' });
    assertRefused(state, { type: 'fill', quantity: '0.41', price: '100' });
    assert.equal(applyOrderEvent(state, { type: 'fill', quantity: '0.4', price: '100' }).status, 'filled');
  });

  test('a venue rejection ends the order with nothing left', () => {
    const state = applyOrderEvent(createOrderState({ quantity: '1' }), { type: 'rejected', reason: 'insufficient balance' });
    assert.equal(state.status, 'rejected');
    assert.equal(state.leavesQuantity, '0');
    assert.equal(state.quantity, '1');
  });

  test('cancel: pending-cancel, fills still land, cancelled keeps cum and zeroes leaves', () => {
    const pending = run(working('2'), { type: 'fill', quantity: '0.5', price: '10' }, { type: 'cancel-requested' });
    assert.equal(pending.status, 'pending-cancel');
    const filledMeanwhile = applyOrderEvent(pending, { type: 'fill', quantity: '0.5', price: '12' });
    assert.equal(filledMeanwhile.status, 'pending-cancel');
    const cancelled = applyOrderEvent(filledMeanwhile, { type: 'cancelled' });
    assert.deepEqual(
      { status: cancelled.status, quantity: cancelled.quantity, cum: cancelled.cumQuantity, leaves: cancelled.leavesQuantity },
      { status: 'cancelled', quantity: '2', cum: '1', leaves: '0' },
    );
  });

  test('a cancel that the order outruns by filling completely ends filled', () => {
    const state = run(working('1'), { type: 'cancel-requested' }, { type: 'fill', quantity: '1', price: '5' });
    assert.equal(state.status, 'filled');
    assertRefused(state, { type: 'cancelled' });
  });

  test('a refused cancel returns to the working status the fills call for', () => {
    assert.equal(run(working(), { type: 'cancel-requested' }, { type: 'cancel-rejected' }).status, 'new');
    const partly = run(
      working('2'),
      { type: 'fill', quantity: '1', price: '1' },
      { type: 'cancel-requested' },
      { type: 'cancel-rejected' },
    );
    assert.equal(partly.status, 'partially-filled');
  });

  test('replace: the confirmed quantity and price take effect and leaves follow', () => {
    const state = run(
      working('2', '100'),
      { type: 'fill', quantity: '0.5', price: '100' },
      { type: 'replace-requested', quantity: '3', price: '99.5' },
    );
    assert.equal(state.status, 'pending-replace');
    assert.deepEqual(state.pendingReplace, { quantity: '3', price: '99.5' });
    const replaced = applyOrderEvent(state, { type: 'replaced' });
    assert.deepEqual(
      {
        status: replaced.status,
        quantity: replaced.quantity,
        price: replaced.price,
        leaves: replaced.leavesQuantity,
        pending: replaced.pendingReplace,
      },
      { status: 'partially-filled', quantity: '3', price: '99.5', leaves: '2.5', pending: null },
    );
  });

  test('the venue confirmation of a replace overrides what was asked', () => {
    const state = run(working('2'), { type: 'replace-requested', quantity: '3' }, { type: 'replaced', quantity: '2.5' });
    assert.equal(state.quantity, '2.5');
    assert.equal(state.leavesQuantity, '2.5');
    assert.equal(state.status, 'new');
  });

  test('refuses a replace below the filled quantity, when asked and when confirmed', () => {
    const partly = run(working('2'), { type: 'fill', quantity: '1.5', price: '1' });
    assertRefused(partly, { type: 'replace-requested', quantity: '1.4' });
    const pending = applyOrderEvent(partly, { type: 'replace-requested', quantity: '1.6' });
    const filledMore = applyOrderEvent(pending, { type: 'fill', quantity: '0.2', price: '1' });
    assertRefused(filledMore, { type: 'replaced' });
    assert.equal(applyOrderEvent(filledMore, { type: 'replace-rejected' }).status, 'partially-filled');
  });

  test('replacing down to exactly the filled quantity completes the order', () => {
    const state = run(
      working('2'),
      { type: 'fill', quantity: '1.5', price: '1' },
      { type: 'replace-requested', quantity: '1.5' },
      { type: 'replaced' },
    );
    assert.equal(state.status, 'filled');
    assert.equal(state.leavesQuantity, '0');
  });

  test('a replace that changes nothing is malformed', () => {
    assertRefused(working(), { type: 'replace-requested' }, 'TRD_ERR_INVALID_ORDER_EVENT');
  });

  test('expiry keeps what filled and zeroes leaves', () => {
    const state = run(working('2'), { type: 'fill', quantity: '0.5', price: '3' }, { type: 'expired' });
    assert.deepEqual([state.status, state.cumQuantity, state.leavesQuantity], ['expired', '0.5', '0']);
  });

  test('a placement that timed out is unknown until a lookup resolves it', () => {
    const unknown = applyOrderEvent(createOrderState({ quantity: '1', price: '10' }), { type: 'timed-out' });
    assert.equal(unknown.status, 'unknown');
    for (const event of [
      { type: 'accepted' },
      { type: 'fill', quantity: '1', price: '10' },
      { type: 'timed-out' },
      { type: 'cancel-requested' },
    ] as const) {
      assertRefused(unknown, event);
    }
    const resolved = applyOrderEvent(unknown, { type: 'resolved', status: 'partially-filled', cumQuantity: '0.25', avgPrice: '9.5' });
    assert.deepEqual(
      {
        status: resolved.status,
        cum: resolved.cumQuantity,
        leaves: resolved.leavesQuantity,
        avg: resolved.avgPrice,
        notional: resolved.cumNotional,
      },
      { status: 'partially-filled', cum: '0.25', leaves: '0.75', avg: '9.5', notional: '2.375' },
    );
  });

  test('a lookup that finds nothing resolves the placement as rejected', () => {
    const state = run(
      createOrderState({ quantity: '1' }),
      { type: 'timed-out' },
      { type: 'resolved', status: 'rejected', cumQuantity: '0' },
    );
    assert.equal(state.status, 'rejected');
    assert.equal(state.leavesQuantity, '0');
  });

  test('a cancel that timed out resolves to what the venue says, cum never going down', () => {
    const unknown = run(working('2'), { type: 'fill', quantity: '1', price: '10' }, { type: 'cancel-requested' }, { type: 'timed-out' });
    assertRefused(unknown, { type: 'resolved', status: 'cancelled', cumQuantity: '0.5' });
    assertRefused(unknown, { type: 'resolved', status: 'cancelled', cumQuantity: '1.5' }, 'TRD_ERR_INVALID_ORDER_EVENT');
    const cancelled = applyOrderEvent(unknown, { type: 'resolved', status: 'cancelled', cumQuantity: '1' });
    assert.deepEqual(
      [cancelled.status, cancelled.cumQuantity, cancelled.leavesQuantity, cancelled.avgPrice],
      ['cancelled', '1', '0', '10'],
    );
  });

  test('a replace that timed out resolves with the venue quantity', () => {
    const unknown = run(working('2'), { type: 'replace-requested', quantity: '4' }, { type: 'timed-out' });
    assert.deepEqual(unknown.pendingReplace, { quantity: '4', price: null });
    const resolved = applyOrderEvent(unknown, { type: 'resolved', status: 'new', cumQuantity: '0', quantity: '4' });
    assert.deepEqual([resolved.status, resolved.quantity, resolved.leavesQuantity, resolved.pendingReplace], ['new', '4', '4', null]);
  });

  test('resolution refuses a filled status without the fill, and fills beyond the quantity', () => {
    const unknown = run(createOrderState({ quantity: '1' }), { type: 'timed-out' });
    assertRefused(unknown, { type: 'resolved', status: 'filled', cumQuantity: '0.5', avgPrice: '1' });
    assertRefused(unknown, { type: 'resolved', status: 'new', cumQuantity: '1.5', avgPrice: '1' });
    assertRefused(unknown, { type: 'resolved', status: 'rejected', cumQuantity: '0.5', avgPrice: '1' });
  });

  test('no event leaves a terminal status', () => {
    const terminal = [
      run(working('1'), { type: 'fill', quantity: '1', price: '1' }),
      run(working('1'), { type: 'cancelled' }),
      run(createOrderState({ quantity: '1' }), { type: 'rejected' }),
      run(working('1'), { type: 'expired' }),
    ];
    const events: OrderEvent[] = [
      { type: 'accepted' },
      { type: 'rejected' },
      { type: 'fill', quantity: '0.1', price: '1' },
      { type: 'cancel-requested' },
      { type: 'cancel-rejected' },
      { type: 'cancelled' },
      { type: 'replace-requested', quantity: '2' },
      { type: 'replaced' },
      { type: 'replace-rejected' },
      { type: 'expired' },
      { type: 'timed-out' },
      { type: 'resolved', status: 'new', cumQuantity: '1' },
    ];
    for (const state of terminal) {
      for (const event of events) assertRefused(state, event);
    }
  });

  test('the error names the event, the status and why', () => {
    const state = run(working('1'), { type: 'cancelled' });
    assert.throws(
      () => applyOrderEvent(state, { type: 'fill', quantity: '1', price: '1' }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidTransitionError);
        assert.equal(error.statusCode, 422);
        assert.equal(error.message, "Cannot apply 'fill' to an order that is cancelled: the order is final");
        return true;
      },
    );
  });

  test('malformed decimals are refused, never coerced', () => {
    const state = working();
    for (const quantity of ['1e-3', '-1', '', '0x10', ' 1', '1.']) {
      assert.throws(() => applyOrderEvent(state, { type: 'fill', quantity, price: '1' }), InvalidOrderEventError);
    }
    assertRefused(state, { type: 'fill', quantity: '0', price: '1' }, 'TRD_ERR_INVALID_ORDER_EVENT');
    assert.throws(() => createOrderState({ quantity: '0' }), { code: 'TRD_ERR_INVALID_ORDER_EVENT' });
  });

  test('states are frozen', () => {
    const state = working();
    assert.ok(Object.isFrozen(state));
    assert.throws(() => {
      (state as { status: string }).status = 'filled';
    }, TypeError);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toRfc3339Micros, utcNowMicros } from '../src/time.ts';

const RFC3339_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

test('utcNowMicros is UTC with six fractional digits, within a millisecond of the system clock', () => {
  for (let i = 0; i < 1000; i++) {
    const before = Date.now();
    const now = utcNowMicros();
    const after = Date.now();
    assert.match(now, RFC3339_MICROS);
    const ms = Date.parse(now);
    assert.ok(ms >= before - 1 && ms <= after + 1, `${now} between ${before} and ${after}`);
  }
});

test('toRfc3339Micros keeps sub-millisecond digits and converts offsets to UTC', () => {
  assert.equal(toRfc3339Micros('2026-11-25T15:00:00Z'), '2026-11-25T15:00:00.000000Z');
  assert.equal(toRfc3339Micros('2026-11-25T15:00:00.123456Z'), '2026-11-25T15:00:00.123456Z');
  assert.equal(toRfc3339Micros('2026-11-25T16:00:00.1234+01:00'), '2026-11-25T15:00:00.123400Z');
  assert.equal(toRfc3339Micros('2026-11-25T15:00:00.5Z'), '2026-11-25T15:00:00.500000Z');
  assert.throws(() => toRfc3339Micros('yesterday'));
});

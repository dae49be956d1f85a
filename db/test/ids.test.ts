import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newId } from '../src/ids.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('newId makes distinct UUIDv7s in strictly increasing order, within a millisecond too', () => {
  // Well over the random pool's 256 ids, so it is refilled several times.
  const ids = Array.from({ length: 20_000 }, () => newId());
  for (const id of ids) assert.match(id, V7);
  for (let i = 1; i < ids.length; i++) assert.ok((ids[i - 1] as string) < (ids[i] as string), `${ids[i - 1]} < ${ids[i]}`);
  assert.equal(new Set(ids).size, ids.length);
  const millis = new Set(ids.map((id) => id.replaceAll('-', '').slice(0, 12)));
  assert.ok(millis.size < ids.length, 'several ids shared a millisecond');
});

test('newId carries the creation time in its first 48 bits', () => {
  const before = Date.now();
  const id = newId();
  const after = Date.now();
  const msecs = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
  assert.ok(msecs >= before && msecs <= after + 1, `${msecs} within [${before}, ${after}]`);
});

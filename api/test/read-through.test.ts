import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readThroughCache } from '../src/read-through.ts';

/** A loader that answers when told to and counts its reads. */
function gatedLoader() {
  const reads: { key: string; answer(value: string): void; fail(error: Error): void }[] = [];
  return {
    reads,
    load: (key: string) =>
      new Promise<string>((resolve, reject) => {
        reads.push({ key, answer: resolve, fail: reject });
      }),
  };
}

test('requests that miss the same key together share one read', async () => {
  const loader = gatedLoader();
  const cache = readThroughCache({ ttlMs: 60_000, load: loader.load });
  const waiting = Array.from({ length: 50 }, () => cache.get('tenant-a'));
  const other = cache.get('tenant-b');
  assert.equal(loader.reads.length, 2);
  loader.reads[0]?.answer('active');
  loader.reads[1]?.answer('suspended');
  assert.deepEqual(new Set(await Promise.all(waiting)), new Set(['active']));
  assert.equal(await other, 'suspended');
  assert.equal(await cache.get('tenant-a'), 'active');
  assert.equal(loader.reads.length, 2, 'a hit reads nothing');
});

test('an expired entry is read again, once', async () => {
  let reads = 0;
  const cache = readThroughCache({ ttlMs: 20, load: async () => `value ${++reads}` });
  assert.equal(await cache.get('k'), 'value 1');
  await new Promise((resolve) => setTimeout(resolve, 40));
  const [a, b] = await Promise.all([cache.get('k'), cache.get('k')]);
  assert.equal(a, 'value 2');
  assert.equal(b, 'value 2');
  assert.equal(reads, 2);
});

test('forget during a read: its waiters get the answer, the cache does not keep it', async () => {
  const loader = gatedLoader();
  const cache = readThroughCache({ ttlMs: 60_000, load: loader.load });
  const before = cache.get('tenant-a');
  cache.forget('tenant-a');
  const after = cache.get('tenant-a');
  assert.equal(loader.reads.length, 2, 'a get after forget does not join the older read');
  // The newer read answers first; the older one, answering last, must not overwrite what it cached.
  loader.reads[1]?.answer('suspended');
  assert.equal(await after, 'suspended');
  loader.reads[0]?.answer('active (read before the change)');
  assert.equal(await before, 'active (read before the change)');
  assert.equal(await cache.get('tenant-a'), 'suspended');
  assert.equal(loader.reads.length, 2);
});

test('a failed read is not cached: its waiters see the error, the next get reads again', async () => {
  const loader = gatedLoader();
  const cache = readThroughCache({ ttlMs: 60_000, load: loader.load });
  const first = [cache.get('k'), cache.get('k')];
  loader.reads[0]?.fail(new Error('connection lost'));
  for (const waiter of first) await assert.rejects(waiter, /connection lost/);
  const retry = cache.get('k');
  assert.equal(loader.reads.length, 2);
  loader.reads[1]?.answer('active');
  assert.equal(await retry, 'active');
});

test('a null answer (no such tenant, not an API client) is cached like any other', async () => {
  let reads = 0;
  const cache = readThroughCache<string | null>({
    ttlMs: 60_000,
    load: async () => {
      reads++;
      return null;
    },
  });
  assert.equal(await cache.get('user-token-client'), null);
  assert.equal(await cache.get('user-token-client'), null);
  assert.equal(reads, 1);
});

import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

// uuid's v7() asks crypto.getRandomValues for 16 bytes on every call: 2.4 µs an id here, against
// 0.13 µs for Node's pooled randomUUID(), on a path that makes four or five ids per order. So the
// random bytes come from a pool refilled 4 KiB at a time, and the timestamp and counter are kept
// here exactly as uuid keeps them when it draws its own (RFC 9562, monotonic within a millisecond).
const pool = new Uint8Array(16 * 256);
let used = pool.length;
const state = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/** UUIDv7: sorts by creation time, so keyset pagination on id is chronological; strictly increasing within a process. */
export function newId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const random = pool.subarray(used, used + 16);
  used += 16;
  const now = Date.now();
  if (now > state.msecs) {
    state.msecs = now;
    // uuid's own seeding of the counter from the random bytes: 31 bits, so a millisecond has room to count up.
    state.seq =
      (((random[6] as number) & 0x7f) << 24) | ((random[7] as number) << 16) | ((random[8] as number) << 8) | (random[9] as number);
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs += 1;
  }
  return v7({ random, msecs: state.msecs, seq: state.seq });
}

import type { RestingEntry } from './book-side.ts';

/**
 * GTD entries in a binary min-heap by expiresAt. Entries that left the book stay in the heap and are
 * skipped when they surface (lazy deletion), so cancels and amends never search it.
 */
export class ExpiryQueue {
  private readonly heap: RestingEntry[] = [];

  get length(): number {
    return this.heap.length;
  }

  /** True when the earliest entry (live or not) expires at or before `now`: the cheap check before popping. */
  hasDue(now: number): boolean {
    const top = this.heap[0];
    return top !== undefined && (top.expiresAt as number) <= now;
  }

  push(entry: RestingEntry): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    const key = entry.expiresAt as number;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const above = heap[parent] as RestingEntry;
      if ((above.expiresAt as number) <= key) break;
      heap[index] = above;
      index = parent;
    }
    heap[index] = entry;
  }

  pop(): RestingEntry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    const key = last.expiresAt as number;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      let child = left;
      if (right < heap.length && ((heap[right] as RestingEntry).expiresAt as number) < ((heap[left] as RestingEntry).expiresAt as number)) {
        child = right;
      }
      const below = heap[child] as RestingEntry;
      if ((below.expiresAt as number) >= key) break;
      heap[index] = below;
      index = child;
    }
    heap[index] = last;
    return top;
  }
}

import type { TenantTx } from './client.ts';

const memos = new WeakMap<TenantTx, Map<string, Promise<unknown>>>();

/**
 * `read` once per transaction and key: what the statements of one transaction
 * (the orders of a batch) need alike is read by one statement, and all of them
 * see that one answer. A rejected read stays rejected: it aborted the transaction.
 */
export function oncePerTransaction<T>(tx: TenantTx, key: string, read: () => Promise<T>): Promise<T> {
  let memo = memos.get(tx);
  if (!memo) {
    memo = new Map();
    memos.set(tx, memo);
  }
  let value = memo.get(key) as Promise<T> | undefined;
  if (!value) {
    value = read();
    memo.set(key, value);
  }
  return value;
}

import { v7 } from 'uuid';

/** UUIDv7: sorts by creation time, so keyset pagination on id is chronological. */
export function newId(): string {
  return v7();
}

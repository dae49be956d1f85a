import type { Database, TenantTx } from '@atrium/db';
import { onAuditEventsCommitted } from './events.ts';
import { GENESIS_HASH, hashAuditEvent, type SealableEvent } from './hash.ts';

// Events sealed per statement at most (each round's hashing runs on the event loop).
const MAX_BATCH = 5000;
const SEALABLE_COLUMNS =
  'e.id, e.tx_id::text as tx_id, e.occurred_at, e.actor_type, e.actor_id, e.action, e.object_type, e.object_id, e.before, e.after, e.request_id';

/**
 * Seals committed events of one tenant into the chain, in (tx_id, id) order.
 *
 * Business transactions never touch the chain, so a tenant's writers never
 * queue behind each other. An event is sealed only once every transaction
 * that started before it has finished (tx_id below the snapshot's xmin), so
 * no later commit can slip in behind the head. One sealer per tenant at a
 * time, by a transaction-scoped advisory lock; others skip.
 * Returns how many events it sealed.
 */
export async function sealAuditChain(db: Database, tenantId: string, batchSize = 1000): Promise<number> {
  return (await sealRound(db, tenantId, batchSize)).sealed;
}

interface SealRound {
  sealed: number;
  /** Sealable events beyond this round's limit: another round would seal more now. */
  more: boolean;
  /** Committed events left beyond this round: held back by an older transaction, committed since, or another sealer held the lock. */
  heldBack: boolean;
}

async function sealRound(db: Database, tenantId: string, maxEvents: number): Promise<SealRound> {
  const limit = Math.min(maxEvents, MAX_BATCH);
  return db.withTenant(tenantId, async (tx) => {
    const [lock] = await tx`select pg_try_advisory_xact_lock(hashtextextended('atrium.audit_seal:' || ${tenantId}, 0)) as locked`;
    if (!lock?.locked) return { sealed: 0, more: false, heldBack: true };
    const head = await readHead(tx);
    // The sealable events beyond the head in chain order, one more than the limit: whether another
    // round would seal more.
    const rows = await tx<SealableEvent[]>`
      select ${tx.unsafe(SEALABLE_COLUMNS)} from audit_events e
       where e.tenant_id = ${tenantId}
         and e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
         ${afterPosition(tx, head)}
       -- Qualified: a bare tx_id here would sort by the text alias in the select list.
       order by e.tx_id, e.id
       limit ${limit + 1}`;
    const more = rows.length > limit;
    const sealable = more ? rows.slice(0, limit) : rows;
    // Unless another round follows at once: does any committed event lie beyond what this round seals
    // (held back by an older transaction, or committed since)? Sent with the seals, in this transaction.
    const last = sealable.at(-1);
    const waiting = more ? Promise.resolve(false) : hasEventAfter(tx, last ? { txId: last.tx_id, eventId: last.id } : head);
    // Awaited below; if hashing throws first, the transaction's rollback is the error that counts.
    waiting.catch(() => {});
    if (sealable.length === 0) return { sealed: 0, more, heldBack: await waiting };

    let seq = head ? head.seq : 0n;
    let prev: Buffer = head ? head.hash : GENESIS_HASH;
    const seals = sealable.map((event) => {
      seq += 1n;
      const hash = hashAuditEvent(tenantId, seq, prev, event);
      const seal = { seq: seq.toString(), event_id: event.id, prev_hash: prev, hash };
      prev = hash;
      return seal;
    });
    // Arrays, not a multi-row VALUES: one statement text (prepared once per connection) whatever the batch's size.
    const [heldBack] = await Promise.all([
      waiting,
      tx`
        insert into audit_seals (tenant_id, seq, event_id, prev_hash, hash)
        select ${tenantId}, s.seq, s.event_id, decode(s.prev_hash, 'hex'), decode(s.hash, 'hex')
          from unnest(${seals.map((x) => x.seq)}::bigint[], ${seals.map((x) => x.event_id)}::uuid[],
                      ${seals.map((x) => x.prev_hash.toString('hex'))}::text[], ${seals.map((x) => x.hash.toString('hex'))}::text[])
            as s(seq, event_id, prev_hash, hash)`.execute(),
    ]);
    return { sealed: sealable.length, more, heldBack };
  });
}

/** A place in chain order: an event's (tx_id, id). */
interface ChainPosition {
  txId: string;
  eventId: string;
}

interface ChainHead extends ChainPosition {
  seq: bigint;
  hash: Buffer;
}

/** The condition for events of `e` after a position in chain order; none without one. */
function afterPosition(tx: TenantTx, position: ChainPosition | null) {
  return position ? tx`and (e.tx_id, e.id) > (${position.txId}::xid8, ${position.eventId}::uuid)` : tx``;
}

/** Whether any committed event lies after the position; sent at once, so it pipelines with what follows. */
function hasEventAfter(tx: TenantTx, position: ChainPosition | null): Promise<boolean> {
  // Ordered like the seal index and limited, so that the planner walks it from the position instead of
  // filtering the tenant's whole trail (inside exists() the order would be dropped).
  return tx`
    select 1 from audit_events e where e.tenant_id = ${tx.tenantId} ${afterPosition(tx, position)}
     order by e.tx_id, e.id limit 1`
    .execute()
    .then((rows) => rows.length > 0);
}

async function readHead(tx: TenantTx): Promise<ChainHead | null> {
  // The newest seal first, then its event: two primary-key probes whatever the statistics say. (As one
  // join ordered by seq, a stale plan cost 16 ms a call under the order-entry benchmark.)
  const [row] = await tx`
    select s.seq::text as seq, s.hash, e.tx_id::text as tx_id, e.id
      from (select seq, hash, event_id from audit_seals where tenant_id = ${tx.tenantId} order by seq desc limit 1) s
      join audit_events e on e.tenant_id = ${tx.tenantId} and e.id = s.event_id`;
  return row ? { seq: BigInt(row.seq), hash: row.hash, txId: row.tx_id, eventId: row.id } : null;
}

/** Seals until nothing sealable is left (bounded by rounds). */
export async function sealAll(db: Database, tenantId: string, batchSize = 1000): Promise<number> {
  return (await sealAvailable(db, tenantId, batchSize)).sealed;
}

/** As sealAll, and whether committed events were left for later because an older transaction still runs. */
async function sealAvailable(db: Database, tenantId: string, batchSize = 1000): Promise<{ sealed: number; heldBack: boolean }> {
  let sealed = 0;
  for (let round = 0; round < 1000; round++) {
    const result = await sealRound(db, tenantId, batchSize);
    sealed += result.sealed;
    if (!result.more) return { sealed, heldBack: result.heldBack };
  }
  return { sealed, heldBack: true };
}

/**
 * Seals until every event committed before the call is in the chain. Sealing
 * waits for the cluster's oldest running transaction (any database), so this
 * polls; it gives up after timeoutMs and returns false.
 */
export async function sealCommitted(db: Database, tenantId: string, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sealAll(db, tenantId);
    if (!(await hasUnsealedEvents(db, tenantId))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Committed events beyond the chain's head: sealing them may have to wait for older transactions to end. */
export async function hasUnsealedEvents(db: Database, tenantId: string): Promise<boolean> {
  return db.withTenant(tenantId, async (tx) => hasEventAfter(tx, await readHead(tx)));
}

export interface AuditSealerOptions {
  /** Wait after a commit before sealing, to batch bursts (default 100 ms). */
  debounceMs?: number;
  /** Full sweep over every tenant, catching events whose process died before sealing. */
  sweepIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface AuditSealer {
  schedule(tenantId: string): void;
  /** Seals everything scheduled so far; resolves when done. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function startAuditSealer(db: Database, options: AuditSealerOptions = {}): AuditSealer {
  // Sealing is not on anyone's critical path; every round is a few statements per tenant. At 20 ms the
  // order-entry benchmark's median latency was 6-7 ms at a steady 1,000 orders/s, at 100 ms 3.6 ms.
  const debounceMs = options.debounceMs ?? 100;
  const onError = options.onError ?? (() => {});
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const run = async () => {
    timer = undefined;
    const tenants = [...pending];
    pending.clear();
    for (const tenantId of tenants) {
      try {
        // Held back by an older transaction somewhere in the cluster: try again shortly rather than at the next sweep.
        if ((await sealAvailable(db, tenantId)).heldBack) retryLater(tenantId);
      } catch (error) {
        onError(error);
      }
    }
  };
  const retries = new Set<NodeJS.Timeout>();
  const retryLater = (tenantId: string) => {
    if (stopped) return;
    const retry = setTimeout(() => {
      retries.delete(retry);
      schedule(tenantId);
    }, 250);
    retry.unref();
    retries.add(retry);
  };
  const schedule = (tenantId: string) => {
    if (stopped) return;
    pending.add(tenantId);
    timer ??= setTimeout(() => {
      running = running.then(run);
    }, debounceMs);
  };
  const unsubscribe = onAuditEventsCommitted(schedule);

  const sweep = async () => {
    try {
      const tenants = await db.withPlatform((tx) => tx<{ id: string }[]>`select id from tenants order by id`);
      for (const { id } of tenants) schedule(id);
    } catch (error) {
      onError(error);
    }
  };
  const sweepTimer = setInterval(() => void sweep(), options.sweepIntervalMs ?? 30_000);
  sweepTimer.unref();
  void sweep();

  return {
    schedule,
    async flush() {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
        running = running.then(run);
      }
      await running;
    },
    async stop() {
      stopped = true;
      unsubscribe();
      clearInterval(sweepTimer);
      for (const retry of retries) clearTimeout(retry);
      retries.clear();
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

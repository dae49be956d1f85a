import { newId, type PendingQuery, type Row, type TenantTx } from '@atrium/db';

export type ActorType = 'user' | 'client' | 'system';

export interface Actor {
  type: ActorType;
  id: string;
}

export interface AuditEventInput {
  actor: Actor;
  /** Dotted verb, e.g. `account.created`. */
  action: string;
  objectType: string;
  objectId?: string | null;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

export interface AuditEvent {
  id: string;
  occurredAt: string;
  actorType: ActorType;
  actorId: string;
  action: string;
  objectType: string;
  objectId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  /** Chain position; null until the sealer has sealed the event. */
  seq: string | null;
  hash: string | null;
}

type CommitListener = (tenantId: string) => void;
const commitListeners = new Set<CommitListener>();

/** The sealer listens here, so events are sealed moments after their transaction commits. */
export function onAuditEventsCommitted(listener: CommitListener): () => void {
  commitListeners.add(listener);
  return () => commitListeners.delete(listener);
}

function tellSealerAfterCommit(tx: TenantTx): void {
  const tenantId = tx.tenantId;
  tx.afterCommit(() => {
    for (const listener of commitListeners) listener(tenantId);
  });
}

/**
 * Records an event in the caller's transaction: it commits or rolls back with
 * the change it describes. It takes no chain lock; see sealAuditChain.
 */
export async function appendAuditEvent(tx: TenantTx, event: AuditEventInput): Promise<string> {
  const id = newId();
  await tx`
    insert into audit_events (tenant_id, id, actor_type, actor_id, action, object_type, object_id, before, after, request_id)
    values (${tx.tenantId}, ${id}, ${event.actor.type}, ${event.actor.id}, ${event.action}, ${event.objectType},
            ${event.objectId ?? null}, ${jsonOrNull(tx, event.before)}, ${jsonOrNull(tx, event.after)}, ${event.requestId ?? null})`;
  tellSealerAfterCommit(tx);
  return id;
}

/**
 * Several events in one statement, for writers that batch. Their ids are
 * UUIDv7 in the order given, and the sealer chains a transaction's events by
 * id, so the chain keeps that order whatever order the rows go in.
 * The statement is sent before this returns, so a caller may pipeline its
 * COMMIT right behind it (TenantTx.commitWith).
 */
export function appendAuditEvents(tx: TenantTx, events: readonly AuditEventInput[]): Promise<string[]> {
  if (events.length === 0) return Promise.resolve([]);
  const { insert, ids } = auditEventsInsert(tx, events);
  return insert.execute().then(() => ids);
}

/**
 * The insert appendAuditEvents sends, unsent, for a writer that makes it part
 * of a statement of its own (a data-modifying WITH): the events commit or roll
 * back with that statement's transaction, and the sealer hears of them after
 * commit. The caller must send it exactly once, in this transaction.
 */
export function auditEventsInsert(tx: TenantTx, events: readonly AuditEventInput[]): { insert: PendingQuery<Row[]>; ids: string[] } {
  const rows = events.map((event) => ({
    id: newId(),
    actor_type: event.actor.type,
    actor_id: event.actor.id,
    action: event.action,
    object_type: event.objectType,
    object_id: event.objectId ?? null,
    before: event.before ?? null,
    after: event.after ?? null,
    request_id: event.requestId ?? null,
  }));
  const insert = tx`
    insert into audit_events (tenant_id, id, actor_type, actor_id, action, object_type, object_id, before, after, request_id)
    select ${tx.tenantId}, e.id, e.actor_type, e.actor_id, e.action, e.object_type, e.object_id,
           -- A JSON null stays SQL NULL, as appendAuditEvent stores an absent before/after.
           nullif(e.before, 'null'::jsonb), nullif(e.after, 'null'::jsonb), e.request_id
      from jsonb_to_recordset(${tx.json(rows as never)})
        as e(id uuid, actor_type text, actor_id text, action text, object_type text, object_id text, before jsonb, after jsonb, request_id text)`;
  tellSealerAfterCommit(tx);
  return { insert, ids: rows.map((row) => row.id) };
}

function jsonOrNull(tx: TenantTx, value: unknown) {
  return value === undefined || value === null ? null : tx.json(value as Parameters<TenantTx['json']>[0]);
}

/** Who is acting and on which request: passed by the front door to every state-changing engine call. */
export interface AuditContext {
  actor: Actor;
  requestId?: string | null;
}

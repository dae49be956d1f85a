import { decodeCursor, type Page, type TenantTx, toPage } from '@atrium/db';
import type { AuditEvent } from './events.ts';

/** Newest first, keyset on the UUIDv7 id. */
export async function listAuditEvents(tx: TenantTx, options: { limit: number; cursor?: string | null }): Promise<Page<AuditEvent>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const rows = await tx<AuditEvent[]>`
    select e.id, e.occurred_at as "occurredAt", e.actor_type as "actorType", e.actor_id as "actorId", e.action,
           e.object_type as "objectType", e.object_id as "objectId", e.before, e.after, e.request_id as "requestId",
           s.seq::text as seq, encode(s.hash, 'hex') as hash
      from audit_events e left join audit_seals s on s.tenant_id = e.tenant_id and s.event_id = e.id
     where e.tenant_id = ${tx.tenantId} ${after ? tx`and e.id < ${after}` : tx``}
     order by e.id desc
     limit ${options.limit + 1}`;
  return toPage(rows, options.limit);
}

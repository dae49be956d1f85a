import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = Buffer.alloc(32);

/** The stored columns that the chain protects, as read back from PostgreSQL. */
export interface SealableEvent {
  id: string;
  tx_id: string;
  occurred_at: string;
  actor_type: string;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
}

/**
 * SHA-256 over the RFC 8785 (JCS) canonical JSON of the event, its tenant, its
 * position and the previous hash: any change to one of them changes the hash.
 */
export function hashAuditEvent(tenantId: string, seq: bigint, prevHash: Buffer, event: SealableEvent): Buffer {
  const canonical = canonicalize({
    v: 1,
    tenantId,
    seq: seq.toString(),
    prevHash: prevHash.toString('hex'),
    event: {
      id: event.id,
      txId: event.tx_id,
      occurredAt: event.occurred_at,
      actorType: event.actor_type,
      actorId: event.actor_id,
      action: event.action,
      objectType: event.object_type,
      objectId: event.object_id,
      before: event.before,
      after: event.after,
      requestId: event.request_id,
    },
  });
  if (canonical === undefined) throw new Error('audit event cannot be canonicalised');
  return createHash('sha256').update(canonical, 'utf8').digest();
}

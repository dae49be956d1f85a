import type { Database } from '@atrium/db';
import { GENESIS_HASH, hashAuditEvent, type SealableEvent } from './hash.ts';

export interface AuditChainBreak {
  /** The first chain position that does not verify. */
  seq: string;
  eventId: string | null;
  reason: 'sequence_gap' | 'prev_hash_mismatch' | 'event_missing' | 'hash_mismatch' | 'order_violation' | 'unsealed_event_behind_head';
}

export interface AuditChainReport {
  ok: boolean;
  sealed: number;
  /** Committed events not yet sealed (beyond the head): normal, for a moment. */
  unsealed: number;
  headSeq: string | null;
  headHash: string | null;
  firstBreak: AuditChainBreak | null;
}

type SealRow = SealableEvent & { seq: string; event_id: string; prev_hash: Buffer; hash: Buffer; present: boolean };

/** Walks one tenant's chain from genesis and reports the first broken link. */
export async function verifyAuditChain(db: Database, tenantId: string, pageSize = 2000): Promise<AuditChainReport> {
  return db.withTenant(tenantId, async (tx) => {
    let expectedSeq = 1n;
    let prev: Buffer = GENESIS_HASH;
    let position: { txId: bigint; id: string } | null = null;
    let sealed = 0;
    const fail = (seq: bigint | string, eventId: string | null, reason: AuditChainBreak['reason']): AuditChainReport => ({
      ok: false,
      sealed,
      unsealed: 0,
      headSeq: null,
      headHash: null,
      firstBreak: { seq: seq.toString(), eventId, reason },
    });

    for (;;) {
      const rows = await tx<SealRow[]>`
        select s.seq::text as seq, s.event_id, s.prev_hash, s.hash, e.id is not null as present,
               e.id, e.tx_id::text as tx_id, e.occurred_at, e.actor_type, e.actor_id, e.action, e.object_type,
               e.object_id, e.before, e.after, e.request_id
          from audit_seals s left join audit_events e on e.tenant_id = s.tenant_id and e.id = s.event_id
         where s.tenant_id = ${tenantId} and s.seq >= ${expectedSeq.toString()}
         order by s.seq
         limit ${pageSize}`;
      for (const row of rows) {
        const seq = BigInt(row.seq);
        if (seq !== expectedSeq) return fail(expectedSeq, null, 'sequence_gap');
        if (!row.prev_hash.equals(prev)) return fail(seq, row.event_id, 'prev_hash_mismatch');
        if (!row.present) return fail(seq, row.event_id, 'event_missing');
        const txId = BigInt(row.tx_id);
        if (position && (txId < position.txId || (txId === position.txId && row.id <= position.id))) {
          return fail(seq, row.event_id, 'order_violation');
        }
        if (!hashAuditEvent(tenantId, seq, prev, row).equals(row.hash)) return fail(seq, row.event_id, 'hash_mismatch');
        prev = row.hash;
        position = { txId, id: row.id };
        expectedSeq += 1n;
        sealed++;
      }
      if (rows.length < pageSize) break;
    }

    // Events nobody sealed must all lie beyond the head; one behind it was slipped in.
    const unsealedRows = await tx<{ id: string; tx_id: string }[]>`
      select e.id, e.tx_id::text as tx_id from audit_events e
       where e.tenant_id = ${tenantId}
         and not exists (select from audit_seals s where s.tenant_id = e.tenant_id and s.event_id = e.id)
       order by e.tx_id, e.id`;
    const first = unsealedRows[0];
    if (first && position) {
      const txId = BigInt(first.tx_id);
      if (txId < position.txId || (txId === position.txId && first.id < position.id)) {
        return { ...fail(expectedSeq, first.id, 'unsealed_event_behind_head'), sealed };
      }
    }
    return {
      ok: true,
      sealed,
      unsealed: unsealedRows.length,
      headSeq: sealed > 0 ? (expectedSeq - 1n).toString() : null,
      headHash: sealed > 0 ? prev.toString('hex') : null,
      firstBreak: null,
    };
  });
}

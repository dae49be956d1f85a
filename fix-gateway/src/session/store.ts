// The PostgreSQL message store of one bound session: sequence numbers and sent messages.
// Writes are group-committed: everything queued while one statement is in flight goes in
// the next one, so a burst of outgoing messages costs one round trip, not one per message.
import { appendAuditEvent } from '@atrium/compliance';
import type { Database } from '@atrium/db';
import type postgres from 'postgres';
import { FixStoreFencedError } from '../errors.ts';
import type { StoredMessage } from './machine.ts';

export interface StoreSequences {
  epoch: number;
  nextSenderSeq: number;
  nextTargetSeq: number;
}

interface PendingMessage extends StoredMessage {
  resolve(): void;
  reject(error: unknown): void;
}

export interface SessionStoreScope {
  db: Database;
  /** A pool of the runtime role, for the one-statement hot path (fix_session_persist). */
  sql: postgres.Sql;
  tenantId: string;
  sessionId: string;
  /** This binding's lease token: every write is fenced by it. */
  owner: string;
}

export class SessionStore {
  private readonly scope: SessionStoreScope;
  private epoch: number;
  private nextSenderSeq: number;
  private nextTargetSeq: number;
  private pending: PendingMessage[] = [];
  private dirty = false;
  private running: Promise<void> | null = null;
  private failure: unknown = null;

  private constructor(scope: SessionStoreScope, sequences: StoreSequences) {
    this.scope = scope;
    this.epoch = sequences.epoch;
    this.nextSenderSeq = sequences.nextSenderSeq;
    this.nextTargetSeq = sequences.nextTargetSeq;
  }

  /**
   * Takes the session's state for this binding (the caller holds the advisory lock) and
   * records the logon in the audit trail, in the same transaction.
   */
  static async claim(scope: SessionStoreScope, details: { instanceId: string; remoteAddress: string }): Promise<SessionStore> {
    const sequences = await scope.db.withTenant(scope.tenantId, async (tx) => {
      const [row] = await tx<{ epoch: number; next_sender_seq: number; next_target_seq: number }[]>`
        insert into fix_session_state (tenant_id, session_id, owner) values (${scope.tenantId}, ${scope.sessionId}, ${scope.owner})
        on conflict (tenant_id, session_id) do update set owner = excluded.owner, updated_at = clock_timestamp()
        returning epoch, next_sender_seq, next_target_seq`;
      const state = row as { epoch: number; next_sender_seq: number; next_target_seq: number };
      await appendAuditEvent(tx, {
        actor: { type: 'system', id: `fix-gateway:${details.instanceId}` },
        action: 'fix_session.bound',
        objectType: 'fix_session',
        objectId: scope.sessionId,
        after: { instanceId: details.instanceId, remoteAddress: details.remoteAddress, epoch: state.epoch },
      });
      return { epoch: state.epoch, nextSenderSeq: state.next_sender_seq, nextTargetSeq: state.next_target_seq };
    });
    return new SessionStore(scope, sequences);
  }

  /** The next sender sequence number as stored, for a Logout to a connection that never logged on. */
  static async peekNextSenderSeq(db: Database, tenantId: string, sessionId: string): Promise<number> {
    const [row] = await db.withTenant(
      tenantId,
      (tx) => tx<{ next_sender_seq: number }[]>`
        select next_sender_seq from fix_session_state where tenant_id = ${tenantId} and session_id = ${sessionId}`,
    );
    return row?.next_sender_seq ?? 1;
  }

  get sequences(): StoreSequences {
    return { epoch: this.epoch, nextSenderSeq: this.nextSenderSeq, nextTargetSeq: this.nextTargetSeq };
  }

  /** Resolves once the message and the sequence numbers are committed. */
  append(message: StoredMessage): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ ...message, resolve, reject });
      // Never backwards, whatever order appends arrive in: a restart must not reuse a sequence number.
      this.nextSenderSeq = Math.max(this.nextSenderSeq, message.seq + 1);
      this.markDirty();
    });
  }

  setNextTargetSeq(seq: number): void {
    if (seq === this.nextTargetSeq) return;
    this.nextTargetSeq = seq;
    this.markDirty();
  }

  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure;
  }

  /**
   * Sequence reset: both numbers back to 1 in a new epoch; earlier messages stay as they were.
   * Audited in the same transaction: a new epoch changes what a ResendRequest can reach.
   */
  async reset(details: { instanceId: string }): Promise<void> {
    await this.flush();
    const { db, tenantId, sessionId, owner } = this.scope;
    const before = this.sequences;
    const row = await db.withTenant(tenantId, async (tx) => {
      const [updated] = await tx<{ epoch: number }[]>`
        update fix_session_state set epoch = epoch + 1, next_sender_seq = 1, next_target_seq = 1, updated_at = clock_timestamp()
         where tenant_id = ${tenantId} and session_id = ${sessionId} and owner = ${owner}
        returning epoch`;
      if (!updated) return null;
      await appendAuditEvent(tx, {
        actor: { type: 'system', id: `fix-gateway:${details.instanceId}` },
        action: 'fix_session.sequence_reset',
        objectType: 'fix_session',
        objectId: sessionId,
        before,
        after: { epoch: updated.epoch, nextSenderSeq: 1, nextTargetSeq: 1 },
      });
      return updated;
    });
    if (!row) throw this.fail(new FixStoreFencedError(sessionId));
    this.epoch = row.epoch;
    this.nextSenderSeq = 1;
    this.nextTargetSeq = 1;
  }

  /** Sent messages with begin <= seq <= end in the current epoch, in order. */
  async read(begin: number, end: number): Promise<StoredMessage[]> {
    await this.flush();
    const { db, tenantId, sessionId } = this.scope;
    const rows = await db.withTenant(
      tenantId,
      (tx) => tx<{ seq: number; msg_type: string; sending_time: string; payload: Buffer }[]>`
        select seq, msg_type, sending_time, payload from fix_messages
         where tenant_id = ${tenantId} and session_id = ${sessionId} and epoch = ${this.epoch} and seq between ${begin} and ${end}
         order by seq`,
    );
    return rows.map((row) => ({ seq: row.seq, msgType: row.msg_type, sendingTime: row.sending_time, payload: row.payload }));
  }

  /** Flushes, gives the session up (owner cleared) and audits it; best effort after a failure. */
  async release(details: { instanceId: string; reason: string }): Promise<void> {
    try {
      await this.flush();
    } catch {
      // The store already failed; still try to record the release below.
    }
    const { db, tenantId, sessionId, owner } = this.scope;
    await db.withTenant(tenantId, async (tx) => {
      const released = await tx`
        update fix_session_state set owner = null, updated_at = clock_timestamp()
         where tenant_id = ${tenantId} and session_id = ${sessionId} and owner = ${owner}`;
      if (released.count === 0) return;
      await appendAuditEvent(tx, {
        actor: { type: 'system', id: `fix-gateway:${details.instanceId}` },
        action: 'fix_session.released',
        objectType: 'fix_session',
        objectId: sessionId,
        after: {
          instanceId: details.instanceId,
          reason: details.reason,
          nextSenderSeq: this.nextSenderSeq,
          nextTargetSeq: this.nextTargetSeq,
        },
      });
    });
  }

  private markDirty(): void {
    this.dirty = true;
    // Start on a microtask so that everything queued in this turn shares one statement.
    this.running ??= Promise.resolve().then(() => this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.dirty && !this.failure) {
        const batch = this.pending;
        this.pending = [];
        this.dirty = false;
        try {
          await this.persist(batch);
          for (const message of batch) message.resolve();
        } catch (error) {
          this.fail(error);
          for (const message of batch) message.reject(error);
        }
      }
      if (this.failure) {
        for (const message of this.pending) message.reject(this.failure);
        this.pending = [];
      }
    } finally {
      this.running = null;
    }
  }

  private async persist(batch: PendingMessage[]): Promise<void> {
    const { sql, tenantId, sessionId, owner } = this.scope;
    const messages = sql.json(
      batch.map((message) => ({
        seq: message.seq,
        msg_type: message.msgType,
        sending_time: message.sendingTime,
        payload: message.payload.toString('hex'),
      })),
    );
    const [row] = await sql<{ ok: boolean }[]>`
      select atrium.fix_session_persist(${tenantId}::uuid, ${sessionId}::uuid, ${owner}, ${this.epoch}::int,
                                        ${this.nextSenderSeq}::int, ${this.nextTargetSeq}::int, ${messages}) as ok`;
    if (!row?.ok) throw new FixStoreFencedError(sessionId);
  }

  private fail(error: unknown): unknown {
    this.failure ??= error;
    return error;
  }
}

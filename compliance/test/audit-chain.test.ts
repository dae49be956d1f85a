// The audit chain end to end on a real PostgreSQL: appending in business
// transactions, sealing, verifying, and detecting tampering by a superuser.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { TenantTx } from '@atrium/db';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import postgres from 'postgres';
import type { SealableEvent } from '../src/audit/hash.ts';
import {
  type AuditChainBreak,
  type AuditChainReport,
  type AuditEventInput,
  appendAuditEvent,
  appendAuditEvents,
  GENESIS_HASH,
  hashAuditEvent,
  listAuditEvents,
  onAuditEventsCommitted,
  sealAll,
  sealAuditChain,
  startAuditSealer,
  verifyAuditChain,
} from '../src/index.ts';

let t: TestDatabase;
const resellerId = randomUUID();

before(async () => {
  t = await createTestDatabase();
  await t.admin`insert into resellers (id, slug, name) values (${resellerId}, ${`r-${resellerId.slice(0, 8)}`}, 'Reseller')`;
});
after(() => t.drop());

async function seedTenant(): Promise<string> {
  const id = randomUUID();
  await t.admin`insert into tenants (id, reseller_id, slug, name, legal_name)
                values (${id}, ${resellerId}, ${`t-${id.slice(0, 8)}`}, 'Tenant', 'Tenant Ltd')`;
  return id;
}

let eventCounter = 0;
function eventInput(): AuditEventInput {
  const i = ++eventCounter;
  return {
    actor: { type: i % 3 === 0 ? 'system' : 'user', id: `user-${i % 7}` },
    action: i % 2 === 0 ? 'order.placed' : 'account.updated',
    objectType: i % 2 === 0 ? 'order' : 'account',
    objectId: `object-${i}`,
    before: i % 2 === 0 ? null : { status: 'active', name: `Name ${i}` },
    after: { status: 'open', amount: i * 1.5, tags: ['a', 'b'], nested: { z: i, a: [1, { y: 'ü', x: null }] } },
    requestId: i % 5 === 0 ? null : `req-${i}`,
  };
}

async function appendEvents(tenantId: string, count: number): Promise<string[]> {
  return t.db.withTenant(tenantId, async (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await appendAuditEvent(tx, eventInput()));
    return ids;
  });
}

/**
 * Seals until the chain holds `expected` events. Sealing waits for every older
 * transaction in the cluster to finish, and other test files share the cluster,
 * so one pass may legitimately leave events for the next.
 */
async function sealUntil(tenantId: string, expected: number): Promise<{ report: AuditChainReport; total: number }> {
  const deadline = Date.now() + 10_000;
  let total = 0;
  for (;;) {
    total += await sealAll(t.db, tenantId);
    const report = await verifyAuditChain(t.db, tenantId);
    if (report.sealed >= expected || !report.ok || Date.now() > deadline) return { report, total };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function assertHealthy(report: AuditChainReport, sealed: number, unsealed = 0): void {
  assert.deepEqual(
    { ok: report.ok, sealed: report.sealed, unsealed: report.unsealed, headSeq: report.headSeq, firstBreak: report.firstBreak },
    { ok: true, sealed, unsealed, headSeq: sealed > 0 ? String(sealed) : null, firstBreak: null },
  );
  if (sealed > 0) assert.match(report.headHash ?? '', /^[0-9a-f]{64}$/);
  else assert.equal(report.headHash, null);
}

async function eventCount(ids: string[]): Promise<number> {
  const [row] = await t.admin`select count(*)::int as n from audit_events where id = any(${ids}::uuid[])`;
  return row?.n ?? -1;
}

test('a tenant without events has an empty, healthy chain', async () => {
  const tenantId = await seedTenant();
  assert.equal(await sealAll(t.db, tenantId), 0);
  assertHealthy(await verifyAuditChain(t.db, tenantId), 0);
});

test('concurrent writers in several tenants seal into one verifiable chain per tenant', async () => {
  const tenants = await Promise.all([1, 2, 3].map(() => seedTenant()));
  const TRANSACTIONS = 5;
  const EVENTS = 4;
  class Abort extends Error {}
  const rolledBack: string[] = [];
  const writes = tenants.flatMap((tenantId) => [
    ...Array.from({ length: TRANSACTIONS }, () => appendEvents(tenantId, EVENTS)),
    assert.rejects(
      t.db.withTenant(tenantId, async (tx: TenantTx) => {
        rolledBack.push(await appendAuditEvent(tx, eventInput()), await appendAuditEvent(tx, eventInput()));
        throw new Abort();
      }),
      Abort,
    ),
  ]);
  const committed = (await Promise.all(writes)).filter((ids): ids is string[] => Array.isArray(ids));
  assert.equal(committed.flat().length, tenants.length * TRANSACTIONS * EVENTS);
  assert.equal(rolledBack.length, tenants.length * 2);
  assert.equal(await eventCount(rolledBack), 0, 'events of a rolled-back transaction must not exist');

  for (const tenantId of tenants) {
    const { report, total } = await sealUntil(tenantId, TRANSACTIONS * EVENTS);
    assert.equal(total, TRANSACTIONS * EVENTS);
    assertHealthy(report, TRANSACTIONS * EVENTS);
    const page = await t.db.withTenant(tenantId, (tx) => listAuditEvents(tx, { limit: 100 }));
    assert.equal(page.items.length, TRANSACTIONS * EVENTS);
    assert.deepEqual(
      page.items.filter((event) => event.seq === null || rolledBack.includes(event.id)),
      [],
      'every listed event is sealed, and none was rolled back',
    );
    assert.deepEqual([...new Set(page.items.map((event) => event.seq))].length, TRANSACTIONS * EVENTS, 'each event holds its own position');
  }
  const heads = await Promise.all(tenants.map((tenantId) => verifyAuditChain(t.db, tenantId)));
  assert.equal(new Set(heads.map((report) => report.headHash)).size, tenants.length, 'chains of different tenants differ');
});

test('events appended after the last seal are reported as unsealed, not as a break', async () => {
  const tenantId = await seedTenant();
  await appendEvents(tenantId, 3);
  assertHealthy((await sealUntil(tenantId, 3)).report, 3);
  await appendEvents(tenantId, 2);
  assertHealthy(await verifyAuditChain(t.db, tenantId), 3, 2);
  assertHealthy((await sealUntil(tenantId, 5)).report, 5);
});

test('the runtime role may neither update, delete nor truncate audit records', async () => {
  const tenantId = await seedTenant();
  await appendEvents(tenantId, 2);
  await sealUntil(tenantId, 2);
  const app = postgres(t.appUrl, { max: 1, onnotice: () => {}, connection: { search_path: 'atrium' } });
  try {
    for (const table of ['audit_events', 'audit_seals']) {
      for (const statement of [`update ${table} set tenant_id = tenant_id`, `delete from ${table}`, `truncate ${table}`]) {
        await assert.rejects(
          app.begin(async (tx) => {
            await tx`select set_config('app.tenant_id', ${tenantId}, true)`;
            await tx.unsafe(statement);
          }),
          { code: '42501', message: new RegExp(`permission denied for table ${table}`) },
          statement,
        );
      }
    }
  } finally {
    await app.end();
  }
  assertHealthy(await verifyAuditChain(t.db, tenantId), 2);
});

test('the owner, and even a superuser, are refused by the append-only triggers', async () => {
  const tenantId = await seedTenant();
  await appendEvents(tenantId, 2);
  await sealUntil(tenantId, 2);
  const attempts = [
    { table: 'audit_events', op: 'UPDATE', sql: "update audit_events set action = 'tampered.action'" },
    { table: 'audit_events', op: 'DELETE', sql: 'delete from audit_events' },
    // Truncating events alone is refused by the seals' foreign key first; with both, the trigger decides.
    { table: 'audit_(events|seals)', op: 'TRUNCATE', sql: 'truncate audit_seals, audit_events' },
    { table: 'audit_seals', op: 'UPDATE', sql: "update audit_seals set sealed_at = '2000-01-01'" },
    { table: 'audit_seals', op: 'DELETE', sql: 'delete from audit_seals' },
    { table: 'audit_seals', op: 'TRUNCATE', sql: 'truncate audit_seals' },
  ];
  for (const role of ['atrium_owner', null]) {
    for (const attempt of attempts) {
      await assert.rejects(
        t.admin.begin(async (tx) => {
          if (role) await tx.unsafe(`set local role ${role}`);
          // FORCE ROW LEVEL SECURITY binds the owner too: without a scope it would see no row to refuse.
          await tx`select set_config('app.tenant_id', ${tenantId}, true)`;
          const [visible] = await tx`select count(*)::int as n from audit_events where tenant_id = ${tenantId}`;
          assert.equal(visible?.n, 2);
          await tx.unsafe(attempt.sql);
        }),
        { code: '42501', message: new RegExp(`append-only: ${attempt.op} on ${attempt.table} refused`) },
        `${role ?? 'superuser'}: ${attempt.sql}`,
      );
    }
  }
  assertHealthy(await verifyAuditChain(t.db, tenantId), 2);
});

test('the writer cannot choose an event’s transaction id or time', async () => {
  const tenantId = await seedTenant();
  const id = randomUUID();
  const app = postgres(t.appUrl, { max: 1, onnotice: () => {}, connection: { search_path: 'atrium' } });
  try {
    const [stamped] = await app.begin(async (tx) => {
      await tx`select set_config('app.tenant_id', ${tenantId}, true)`;
      await tx`insert into audit_events (tenant_id, id, tx_id, occurred_at, actor_type, actor_id, action, object_type)
               values (${tenantId}, ${id}, '3'::xid8, '2000-01-01T00:00:00Z', 'user', 'forger', 'order.placed', 'order')`;
      return tx`select tx_id::text = pg_current_xact_id()::text as own_tx, occurred_at > now() - interval '1 minute' as recent
                  from audit_events where id = ${id}`;
    });
    assert.deepEqual({ ...stamped }, { own_tx: true, recent: true });
  } finally {
    await app.end();
  }
});

test('the sealer seals a tenant’s events soon after their transaction commits', async (ctx) => {
  const tenantId = await seedTenant();
  const errors: unknown[] = [];
  // No periodic sweep within the test: only the commit notification can trigger sealing.
  const sealer = startAuditSealer(t.db, { debounceMs: 10, sweepIntervalMs: 3_600_000, onError: (error) => errors.push(error) });
  ctx.after(() => sealer.stop());

  await appendEvents(tenantId, 3);
  await sealer.flush();
  assertHealthy(await waitForSeals(tenantId, 3, () => sealer.flush()), 3);

  // Without flush: the debounce timer alone seals the next commit.
  await appendEvents(tenantId, 2);
  assertHealthy(await waitForSeals(tenantId, 5, () => new Promise((resolve) => setTimeout(resolve, 20))), 5);
  assert.deepEqual(errors, []);
});

test('the sealer comes back by itself for events an older transaction held back', async (ctx) => {
  const tenantId = await seedTenant();
  const errors: unknown[] = [];
  // No periodic sweep within the test: only the sealer's own retry can seal what was held back.
  const sealer = startAuditSealer(t.db, { debounceMs: 10, sweepIntervalMs: 3_600_000, onError: (error) => errors.push(error) });
  ctx.after(() => sealer.stop());
  // The sealer's first sweep, which it starts without waiting, is over before the events exist.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await sealer.flush();

  // A transaction with a transaction id, older than the events below and open while the sealer runs.
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started = () => {};
  const holding = new Promise<void>((resolve) => {
    started = resolve;
  });
  const older = t.admin.begin(async (sql) => {
    await sql`select pg_current_xact_id()`;
    started();
    await released;
  });
  await holding;
  await appendEvents(tenantId, 2);
  await sealer.flush();
  assert.equal((await verifyAuditChain(t.db, tenantId)).sealed, 0, 'nothing is sealed while an older transaction runs');

  release();
  await older;
  // Nothing commits in this tenant any more: only the retry of the held-back round can seal the two.
  assertHealthy(await waitForSeals(tenantId, 2, () => new Promise((resolve) => setTimeout(resolve, 20))), 2);
  assert.deepEqual(errors, []);
});

async function waitForSeals(tenantId: string, expected: number, between: () => Promise<unknown>): Promise<AuditChainReport> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const report = await verifyAuditChain(t.db, tenantId);
    if (report.sealed >= expected || Date.now() > deadline) return report;
    await between();
  }
}

test('concurrent sealers of one tenant never fork the chain or seal an event twice', async () => {
  const tenantId = await seedTenant();
  let appended = 0;
  let sealed = 0;
  for (let round = 0; round < 8; round++) {
    const results = await Promise.all([
      ...Array.from({ length: 3 }, () => appendEvents(tenantId, 5).then((ids) => ids.length)),
      ...Array.from({ length: 5 }, () => sealAuditChain(t.db, tenantId).then((count) => -count)),
    ]);
    appended += results.filter((n) => n > 0).reduce((a, b) => a + b, 0);
    sealed -= results.filter((n) => n < 0).reduce((a, b) => a + b, 0);
  }
  // Five sealers at once over committed events: exactly one of them does the work.
  await appendEvents(tenantId, 5);
  appended += 5;
  await new Promise((resolve) => setTimeout(resolve, 10));
  const counts = await Promise.all(Array.from({ length: 5 }, () => sealAuditChain(t.db, tenantId)));
  sealed += counts.reduce((a, b) => a + b, 0);

  const { report, total } = await sealUntil(tenantId, appended);
  sealed += total;
  assert.equal(sealed, appended, 'the sealers’ counts add up to the events: none was sealed twice');
  assertHealthy(report, appended);
  const [shape] = await t.admin`
    select count(*)::int as n, count(distinct seq)::int as seqs, count(distinct event_id)::int as events,
           min(seq)::int as first, max(seq)::int as last
      from audit_seals where tenant_id = ${tenantId}`;
  assert.deepEqual({ ...shape }, { n: appended, seqs: appended, events: appended, first: 1, last: appended });
});

test('the event hash is over canonical JSON: key order does not matter, content does', () => {
  const event = (after: unknown): SealableEvent => ({
    id: '01890000-0000-7000-8000-000000000001',
    tx_id: '1234',
    occurred_at: '2026-11-25T14:03:07.123456Z',
    actor_type: 'user',
    actor_id: 'u-1',
    action: 'order.placed',
    object_type: 'order',
    object_id: 'o-1',
    before: null,
    after,
    request_id: 'req-1',
  });
  const tenantId = '01890000-0000-7000-8000-0000000000aa';
  const hash = (after: unknown, seq = 1n, prev = GENESIS_HASH) => hashAuditEvent(tenantId, seq, prev, event(after)).toString('hex');
  const ordered = { amount: '10.5', side: 'buy', venue: { name: 'paper', legs: [{ a: 1, b: 2 }] } };
  const shuffled = { venue: { legs: [{ b: 2, a: 1 }], name: 'paper' }, side: 'buy', amount: '10.5' };
  assert.equal(hash(ordered), hash(shuffled));
  assert.match(hash(ordered), /^[0-9a-f]{64}$/);
  assert.notEqual(hash(ordered), hash({ ...ordered, amount: '10.6' }));
  assert.notEqual(hash(ordered), hash({ ...ordered, venue: { name: 'paper', legs: [{ a: 2, b: 1 }] } }));
  assert.notEqual(hash(ordered), hash(ordered, 2n), 'the position is hashed');
  assert.notEqual(hash(ordered), hash(ordered, 1n, Buffer.alloc(32, 1)), 'the previous hash is hashed');
  assert.notEqual(
    hashAuditEvent(tenantId, 1n, GENESIS_HASH, event(ordered)).toString('hex'),
    hashAuditEvent('01890000-0000-7000-8000-0000000000bb', 1n, GENESIS_HASH, event(ordered)).toString('hex'),
    'the tenant is hashed',
  );
});

// Tampering. The superuser commits each change with the append-only triggers
// (and foreign keys) disabled by session_replication_role, the verifier reads
// through the runtime role, and the chain is then restored from a backup.

interface Link {
  seq: number;
  eventId: string;
  txId: bigint;
}

type Expected = Omit<AuditChainBreak, 'eventId'> & { eventId: string | null };

interface Tamper {
  name: string;
  apply(tx: postgres.TransactionSql, tenantId: string, chain: Link[], pick: (from: number, to: number) => number): Promise<Expected>;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function at(chain: Link[], seq: number): Link {
  const link = chain[seq - 1];
  if (!link || link.seq !== seq) throw new Error(`no link at ${seq}`);
  return link;
}

/** Changes one column of a sealed event; the event's own hash no longer matches. */
function eventFieldTamper(name: string, assignment: string): Tamper {
  return {
    name,
    async apply(tx, tenantId, chain, pick) {
      const { seq, eventId } = at(chain, pick(1, chain.length));
      const result = await tx.unsafe(`update audit_events set ${assignment} where tenant_id = $1 and id = $2`, [tenantId, eventId]);
      assert.equal(result.count, 1);
      return { seq: String(seq), eventId, reason: 'hash_mismatch' };
    },
  };
}

const TAMPERS: Tamper[] = [
  eventFieldTamper('change an event’s action', "action = 'tampered.action'"),
  eventFieldTamper('change an event’s actor', "actor_id = actor_id || '-x'"),
  eventFieldTamper('change a value in an event’s after image', `after = jsonb_set(coalesce(after, '{}'), '{amount}', '"999999"')`),
  eventFieldTamper('drop or add an event’s before image', `before = case when before is null then '{"status":"forged"}'::jsonb end`),
  eventFieldTamper('move an event’s time by a microsecond', "occurred_at = occurred_at + interval '1 microsecond'"),
  eventFieldTamper('change an event’s request id', "request_id = coalesce(request_id, '') || 'x'"),
  {
    name: 'delete a sealed event',
    async apply(tx, tenantId, chain, pick) {
      const { seq, eventId } = at(chain, pick(1, chain.length));
      await tx`delete from audit_events where tenant_id = ${tenantId} and id = ${eventId}`;
      return { seq: String(seq), eventId, reason: 'event_missing' };
    },
  },
  {
    // Deleting the head seal leaves a shorter chain that verifies: see the test on truncation.
    name: 'delete a seal below the head',
    async apply(tx, tenantId, chain, pick) {
      const { seq } = at(chain, pick(1, chain.length - 1));
      await tx`delete from audit_seals where tenant_id = ${tenantId} and seq = ${seq}`;
      return { seq: String(seq), eventId: null, reason: 'sequence_gap' };
    },
  },
  {
    name: 'swap the positions of two seals',
    async apply(tx, tenantId, chain, pick) {
      const i = pick(1, chain.length - 1);
      const j = pick(i + 1, chain.length);
      const parked = 1_000_000_000;
      await tx`update audit_seals set seq = ${parked} where tenant_id = ${tenantId} and seq = ${i}`;
      await tx`update audit_seals set seq = ${i} where tenant_id = ${tenantId} and seq = ${j}`;
      await tx`update audit_seals set seq = ${j} where tenant_id = ${tenantId} and seq = ${parked}`;
      return { seq: String(i), eventId: at(chain, j).eventId, reason: 'prev_hash_mismatch' };
    },
  },
  {
    name: 'flip a bit of a seal’s hash',
    async apply(tx, tenantId, chain, pick) {
      const { seq, eventId } = at(chain, pick(1, chain.length));
      await tx`update audit_seals set hash = set_byte(hash, 7, get_byte(hash, 7) # 1) where tenant_id = ${tenantId} and seq = ${seq}`;
      return { seq: String(seq), eventId, reason: 'hash_mismatch' };
    },
  },
  {
    name: 'flip a bit of a seal’s previous hash',
    async apply(tx, tenantId, chain, pick) {
      const { seq, eventId } = at(chain, pick(1, chain.length));
      await tx`update audit_seals set prev_hash = set_byte(prev_hash, 31, get_byte(prev_hash, 31) # 128)
                where tenant_id = ${tenantId} and seq = ${seq}`;
      return { seq: String(seq), eventId, reason: 'prev_hash_mismatch' };
    },
  },
  {
    name: 'slip a forged event in behind the head',
    async apply(tx, tenantId, chain, pick) {
      // The smallest id in a sealed transaction: the sealer would have sealed it before its neighbours.
      const { txId } = at(chain, pick(1, chain.length));
      const forged = '00000000-0000-4000-8000-000000000000';
      await tx`insert into audit_events (tenant_id, id, tx_id, occurred_at, actor_type, actor_id, action, object_type)
               values (${tenantId}, ${forged}, ${txId.toString()}::xid8, now(), 'user', 'forger', 'order.placed', 'order')`;
      return { seq: String(chain.length + 1), eventId: forged, reason: 'unsealed_event_behind_head' };
    },
  },
];

async function readChain(tenantId: string): Promise<Link[]> {
  const rows = await t.admin<{ seq: string; event_id: string; tx_id: string }[]>`
    select s.seq::text as seq, s.event_id, e.tx_id::text as tx_id
      from audit_seals s join audit_events e on e.tenant_id = s.tenant_id and e.id = s.event_id
     where s.tenant_id = ${tenantId} order by s.seq`;
  return rows.map((row) => ({ seq: Number(row.seq), eventId: row.event_id, txId: BigInt(row.tx_id) }));
}

async function tamperedBy(fn: (tx: postgres.TransactionSql) => Promise<unknown>): Promise<void> {
  await t.admin.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    await fn(tx);
  });
}

test('tampering with any sealed event or seal is detected at the first broken link', async () => {
  const tenantId = await seedTenant();
  const EVENTS = 200;
  await Promise.all(Array.from({ length: 20 }, () => appendEvents(tenantId, EVENTS / 20)));
  const { report: original } = await sealUntil(tenantId, EVENTS);
  assertHealthy(original, EVENTS);
  const chain = await readChain(tenantId);
  assert.equal(chain.length, EVENTS);

  await t.admin`create table public.tamper_events as select * from audit_events where tenant_id = ${tenantId}`;
  await t.admin`create table public.tamper_seals as select * from audit_seals where tenant_id = ${tenantId}`;
  const restore = () =>
    tamperedBy(async (tx) => {
      await tx`delete from audit_seals where tenant_id = ${tenantId}`;
      await tx`delete from audit_events where tenant_id = ${tenantId}`;
      await tx`insert into audit_events select * from public.tamper_events`;
      await tx`insert into audit_seals select * from public.tamper_seals`;
    });

  const seed = Number(process.env.AUDIT_TAMPER_SEED ?? Date.now() % 2 ** 31);
  const random = mulberry32(seed);
  const pick = (from: number, to: number) => from + Math.floor(random() * (to - from + 1));
  const TRIALS = 40;
  for (let trial = 0; trial < TRIALS; trial++) {
    const tamper = TAMPERS[trial % TAMPERS.length] as Tamper;
    let expected: Expected | undefined;
    await tamperedBy(async (tx) => {
      expected = await tamper.apply(tx, tenantId, chain, pick);
    });
    const report = await verifyAuditChain(t.db, tenantId);
    const context = `trial ${trial} (${tamper.name}), AUDIT_TAMPER_SEED=${seed}`;
    assert.equal(report.ok, false, `${context}: not detected`);
    assert.deepEqual(report.firstBreak, expected, context);
    assert.equal(report.headHash, null, `${context}: a broken chain has no head`);
    await restore();
    assert.deepEqual(await verifyAuditChain(t.db, tenantId), original, `${context}: restore`);
  }
});

test('reordering events is detected even when every later hash is recomputed', async () => {
  const tenantId = await seedTenant();
  await Promise.all(Array.from({ length: 4 }, () => appendEvents(tenantId, 5)));
  assertHealthy((await sealUntil(tenantId, 20)).report, 20);
  const chain = await readChain(tenantId);
  const events = await t.db.withTenant(
    tenantId,
    (tx) =>
      tx<SealableEvent[]>`
      select id, tx_id::text as tx_id, occurred_at, actor_type, actor_id, action, object_type, object_id, before, after, request_id
        from audit_events where tenant_id = ${tenantId}`,
  );
  const byId = new Map(events.map((event) => [event.id, event]));
  const [{ prev_hash: prevAt8 }] = await t.admin`select prev_hash from audit_seals where tenant_id = ${tenantId} and seq = 8`;

  // Swap the events at positions 8 and 12 and re-hash the chain from 8 on, as an attacker with the code would.
  const order = chain.map((link) => link.eventId);
  [order[7], order[11]] = [order[11] as string, order[7] as string];
  let prev: Buffer = prevAt8;
  const forged = order.slice(7).map((eventId, index) => {
    const seq = BigInt(index + 8);
    const hash = hashAuditEvent(tenantId, seq, prev, byId.get(eventId) as SealableEvent);
    const seal = { tenant_id: tenantId, seq: seq.toString(), event_id: eventId, prev_hash: prev, hash };
    prev = hash;
    return seal;
  });
  await tamperedBy(async (tx) => {
    await tx`delete from audit_seals where tenant_id = ${tenantId} and seq >= 8`;
    await tx`insert into audit_seals ${tx(forged, 'tenant_id', 'seq', 'event_id', 'prev_hash', 'hash')}`;
  });
  const report = await verifyAuditChain(t.db, tenantId);
  assert.deepEqual(report.firstBreak, { seq: '9', eventId: order[8], reason: 'order_violation' });
});

test('a rewritten and fully re-hashed chain verifies, but its head hash no longer matches a recorded one', async () => {
  // A hash chain alone cannot stop someone who rewrites it from the change onwards; a head hash recorded
  // outside the database (an anchor) can. This pins that the head hash is what changes.
  const tenantId = await seedTenant();
  await appendEvents(tenantId, 6);
  const { report: anchored } = await sealUntil(tenantId, 6);
  assertHealthy(anchored, 6);
  const chain = await readChain(tenantId);
  await tamperedBy(async (tx) => {
    await tx`update audit_events set actor_id = 'someone-else' where tenant_id = ${tenantId} and id = ${at(chain, 4).eventId}`;
    await tx`delete from audit_seals where tenant_id = ${tenantId} and seq >= 4`;
  });
  assert.equal(await sealAll(t.db, tenantId), 3, 'the sealer re-seals from the truncated head');
  const rewritten = await verifyAuditChain(t.db, tenantId);
  assertHealthy(rewritten, 6);
  assert.notEqual(rewritten.headHash, anchored.headHash);
});

test('events seal in numeric transaction-id order, also across a change in digit count', async () => {
  const tenantId = await seedTenant();
  // Past transaction ids (below any a live cluster has running) where text order and numeric order disagree.
  const txIds = ['100', '99', '9', '11', '10'];
  await t.admin.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    for (const txId of txIds) {
      await tx`insert into audit_events (tenant_id, id, tx_id, occurred_at, actor_type, actor_id, action, object_type)
               values (${tenantId}, ${randomUUID()}, ${txId}::xid8, clock_timestamp(), 'system', 'test', 'test.event', 'test')`;
    }
  });
  assert.equal(await sealAll(t.db, tenantId), txIds.length);
  const order = await t.admin`
    select e.tx_id::text as tx_id from audit_seals s join audit_events e on e.tenant_id = s.tenant_id and e.id = s.event_id
     where s.tenant_id = ${tenantId} order by s.seq`;
  assert.deepEqual(
    order.map((row) => row.tx_id),
    ['9', '10', '11', '99', '100'],
  );
  assertHealthy(await verifyAuditChain(t.db, tenantId), txIds.length);
});

test('sixteen writers and two sealers racing keep one whole chain', async () => {
  const tenantId = await seedTenant();
  let writing = true;
  const writers = Array.from({ length: 16 }, async () => {
    let written = 0;
    for (let i = 0; i < 60; i++) written += (await appendEvents(tenantId, 1 + (i % 3))).length;
    return written;
  });
  const sealers = Array.from({ length: 2 }, async () => {
    let sealed = 0;
    while (writing) sealed += await sealAuditChain(t.db, tenantId, 50);
    return sealed;
  });
  const appended = (await Promise.all(writers)).reduce((a, b) => a + b, 0);
  writing = false;
  const racing = (await Promise.all(sealers)).reduce((a, b) => a + b, 0);
  const { report, total } = await sealUntil(tenantId, appended);
  assert.equal(racing + total, appended, 'every event sealed exactly once');
  assertHealthy(report, appended);
});

test('appendAuditEvents writes several events in one statement, in order, sealed like single ones', async () => {
  const tenantId = await seedTenant();
  const sealedTenants: string[] = [];
  const stop = onAuditEventsCommitted((id) => sealedTenants.push(id));
  const ids = await t.db.withTenant(tenantId, (tx) =>
    appendAuditEvents(tx, [
      { actor: { type: 'system', id: 'batch' }, action: 'order.placed', objectType: 'order', objectId: 'o-1', after: { n: 1 } },
      { actor: { type: 'client', id: 'c-1' }, action: 'order.filled', objectType: 'order', objectId: 'o-2', requestId: 'req-2' },
      { actor: { type: 'user', id: 'u-1' }, action: 'order.cancelled', objectType: 'order', before: { n: 2 }, after: null },
    ]),
  );
  stop();
  assert.equal(ids.length, 3);
  assert.deepEqual(sealedTenants, [tenantId], 'the sealer hears of the commit once');
  const rows = await t.admin<
    { id: string; action: string; before: unknown; after: unknown; request_id: string | null; object_id: string | null }[]
  >`
    select id, action, before, after, request_id, object_id from audit_events where tenant_id = ${tenantId} order by id`;
  assert.deepEqual(
    rows.map((r) => [r.id, r.action, r.before, r.after, r.request_id, r.object_id]),
    [
      [ids[0], 'order.placed', null, { n: 1 }, null, 'o-1'],
      [ids[1], 'order.filled', null, null, 'req-2', 'o-2'],
      [ids[2], 'order.cancelled', { n: 2 }, null, null, null],
    ],
  );
  // Other test files share the cluster: their running transactions may hold sealing back for a pass or two.
  const { report } = await sealUntil(tenantId, 3);
  assert.equal(report.ok, true);
  assert.equal(report.sealed, 3);
});

// Baselines, each a bare fastify route with no gateway around it:
//   GET  /bare/accounts/:id         one primary-key select, owner connection, no tenant scope (the 1.0x)
//   GET  /tx/accounts/:id           withTenant: BEGIN, set_config + select (pipelined), COMMIT
//   GET  /fn/accounts/:id           readAsTenant: one statement through the tenant-scoped SQL function
//   POST /inline-chain/accounts     the audit design we rejected: chain appended inside the business
//                                   transaction under a per-tenant lock
import { hashAuditEvent } from '@atrium/compliance';
import { connectPostgres, createDatabase, newId } from '@atrium/db';
import Fastify from 'fastify';

const env = process.env as Record<string, string>;
const poolSize = Number(env.BENCH_POOL_SIZE ?? 10);
// Through the server's Unix socket when it has one, like the gateway's pool (BENCH_ADMIN_URL says which).
const owner = connectPostgres(env.BENCH_ADMIN_URL, {
  max: poolSize,
  prepare: true,
  connection: { search_path: 'atrium', TimeZone: 'UTC' },
  types: { timestamptz: { to: 1184, from: [1184], serialize: (v: string) => v, parse: (v: string) => v } },
});
const db = createDatabase({ url: env.BENCH_APP_URL, poolSize });
const tenantId = env.BENCH_TENANT_ID;
const inlineTenantId = env.BENCH_INLINE_TENANT_ID;
const GENESIS = Buffer.alloc(32);

const app = Fastify({ logger: false });
let reported = 0;
app.setErrorHandler((error: Error, _request, reply) => {
  if (reported++ < 3) console.error(`baseline server error: ${error.message}`);
  reply.code(500).send({ error: 'internal' });
});
app.get<{ Params: { id: string } }>('/bare/accounts/:id', async (request, reply) => {
  const [row] =
    await owner`select id, code, name, base_currency, status, created_at, updated_at from accounts where id = ${request.params.id}`;
  return row ?? reply.code(404).send();
});
app.get<{ Params: { id: string } }>('/tx/accounts/:id', async (request, reply) => {
  const [row] = await db.withTenant(
    tenantId,
    (tx) =>
      tx`select id, code, name, base_currency, status, created_at, updated_at from accounts where tenant_id = ${tenantId} and id = ${request.params.id}`,
  );
  return row ?? reply.code(404).send();
});
app.get<{ Params: { id: string } }>('/fn/accounts/:id', async (request, reply) => {
  const [row] = await db.readAsTenant(tenantId, 'account_by_id', [request.params.id]);
  return row ?? reply.code(404).send();
});
app.post<{ Body: { code: string; name: string } }>('/inline-chain/accounts', async (request, reply) => {
  const account = await db.withTenant(inlineTenantId, async (tx) => {
    const id = newId();
    const [created] =
      await tx`insert into accounts (tenant_id, id, code, name) values (${inlineTenantId}, ${id}, ${request.body.code}, ${request.body.name}) returning id, code, name`;
    // The chain position is taken inside the business transaction: every writer of the tenant queues here until commit.
    await tx`select pg_advisory_xact_lock(hashtextextended('atrium.audit_seal:' || ${inlineTenantId}, 0))`;
    const [head] =
      await tx`select s.seq::text as seq, s.hash from audit_seals s where s.tenant_id = ${inlineTenantId} order by s.seq desc limit 1`;
    const eventId = newId();
    const [event] = await tx`
      insert into audit_events (tenant_id, id, actor_type, actor_id, action, object_type, object_id, after)
      values (${inlineTenantId}, ${eventId}, 'user', 'bench', 'account.created', 'account', ${id}, ${tx.json(created as never)})
      returning id, tx_id::text as tx_id, occurred_at, actor_type, actor_id, action, object_type, object_id, before, after, request_id`;
    const seq = head ? BigInt(head.seq) + 1n : 1n;
    const prev: Buffer = head ? head.hash : GENESIS;
    const hash = hashAuditEvent(inlineTenantId, seq, prev, event as never);
    await tx`insert into audit_seals (tenant_id, seq, event_id, prev_hash, hash) values (${inlineTenantId}, ${seq.toString()}, ${eventId}, ${prev}, ${hash})`;
    return created;
  });
  return reply.code(201).send(account);
});

await app.listen({ host: '127.0.0.1', port: Number(env.BENCH_PORT) });
process.send?.('ready');
process.on('SIGTERM', async () => {
  await app.close();
  await owner.end();
  await db.close();
  process.exit(0);
});

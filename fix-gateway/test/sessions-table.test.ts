// Sessions are data: rows added, changed and removed while the gateway runs take effect
// without a restart (LISTEN/NOTIFY), and every change is audited in its transaction.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { type FixGateway, startFixGateway } from '../src/gateway.ts';
import { createFixSession, removeFixSession, updateFixSession } from '../src/sessions-table.ts';
import { createTestTenant } from '../src/testing.ts';
import { type ClientFixture, connectAs, createClientFixture, createSessionFor, eventually, SYSTEM } from './helpers.ts';

let t: TestDatabase;
let gateway: FixGateway;
let client: ClientFixture;

before(async () => {
  t = await createTestDatabase();
  client = await createClientFixture(t.db);
  // A long safety-net period: only NOTIFY can make these tests pass in time.
  gateway = await startFixGateway({ databaseUrl: t.appUrl, reloadIntervalMs: 600_000 });
});
after(async () => {
  await gateway.close();
  await t.drop();
});

test('a session created while the gateway runs accepts a Logon without a restart', async () => {
  const session = await createSessionFor(t.db, client, 'ATRIUM', 'LIVE1');
  await eventually(() => gateway.sessions().some((status) => status.session.id === session.id));
  const initiator = await connectAs(gateway.port, client, session);
  assert.equal((await initiator.logon()).msgType, 'A');
  await initiator.logout();
  const audit = await t.admin`select action from audit_events where object_id = ${session.id} order by id`;
  assert.deepEqual(
    audit.map((row) => row.action),
    ['fix_session.created', 'fix_session.bound', 'fix_session.sequence_reset', 'fix_session.released'],
  );
});

test('disabling a live session logs it out; removing one does too', async () => {
  const disabled = await createSessionFor(t.db, client, 'ATRIUM', 'LIVE2');
  const removed = await createSessionFor(t.db, client, 'ATRIUM', 'LIVE3');
  await eventually(() => gateway.sessions().filter((status) => [disabled.id, removed.id].includes(status.session.id)).length === 2);
  const first = await connectAs(gateway.port, client, disabled);
  const second = await connectAs(gateway.port, client, removed);
  assert.equal((await first.logon()).msgType, 'A');
  assert.equal((await second.logon()).msgType, 'A');

  await t.db.withPlatform((tx) => updateFixSession(tx, client.tenantId, disabled.id, { enabled: false }, SYSTEM));
  assert.equal((await first.waitFor((message) => message.msgType === '5')).get(58), 'Session disabled');
  first.send('5', []);
  await first.closed;

  await t.db.withPlatform((tx) => removeFixSession(tx, client.tenantId, removed.id, SYSTEM));
  assert.equal((await second.waitFor((message) => message.msgType === '5')).get(58), 'Session removed');
  await second.closed;
  assert.equal(
    gateway.sessions().some((status) => status.session.id === removed.id),
    false,
  );
  const [audit] = await t.admin`select before from audit_events where object_id = ${removed.id} and action = 'fix_session.removed'`;
  assert.equal((audit as { before: { targetCompId: string } }).before.targetCompId, 'LIVE3');
});

test('CompIDs are unique across tenants, and an API client must belong to the tenant', async () => {
  const other = await createClientFixture(t.db);
  await createSessionFor(t.db, client, 'ATRIUM', 'UNIQUE1');
  await assert.rejects(createSessionFor(t.db, other, 'ATRIUM', 'UNIQUE1'), { code: 'FIX_ERR_COMP_IDS_TAKEN' });
  await assert.rejects(
    t.db.withPlatform((tx) =>
      createFixSession(
        tx,
        other.tenantId,
        { name: 'x', senderCompId: 'ATRIUM', targetCompId: 'UNIQUE2', apiClientId: client.apiClientId },
        SYSTEM,
      ),
    ),
    { code: 'FIX_ERR_API_CLIENT_NOT_FOUND' },
  );
  await assert.rejects(createSessionFor(t.db, client, 'ATRIUM', 'bad=comp'), { code: 'FIX_ERR_INVALID_SESSION' });
});

test('a tenant sees only its own sessions and sequence state', async () => {
  const tenantId = await createTestTenant(t.db);
  const rows = await t.db.withTenant(tenantId, (tx) => tx`select id from fix_sessions union all select session_id from fix_session_state`);
  assert.equal(rows.length, 0);
  const own = await t.db.withTenant(client.tenantId, (tx) => tx`select id from fix_sessions`);
  assert.ok(own.length > 0);
});

test('removing a session keeps the messages it sent, refuses its Logon, and frees its CompIDs', async () => {
  const session = await createSessionFor(t.db, client, 'ATRIUM', 'GONE1');
  await eventually(() => gateway.sessions().some((status) => status.session.id === session.id));
  const initiator = await connectAs(gateway.port, client, session);
  assert.equal((await initiator.logon()).msgType, 'A');
  initiator.send('1', [[112, 'before-removal']]);
  await initiator.waitFor((message) => message.msgType === '0');
  const count = async () => Number((await t.admin`select count(*) as n from fix_messages where session_id = ${session.id}`)[0]?.n ?? 0);
  const sent = await count();
  assert.ok(sent >= 2);

  await t.db.withPlatform((tx) => removeFixSession(tx, client.tenantId, session.id, SYSTEM));
  const logout = await initiator.waitFor((message) => message.msgType === '5');
  assert.equal(logout.get(58), 'Session removed');
  await initiator.closed;
  assert.ok((await count()) >= sent, 'stored messages went with the session');
  const [row] = await t.admin`select removed_at from fix_sessions where id = ${session.id}`;
  assert.ok(row?.removed_at instanceof Date);

  const again = await connectAs(gateway.port, client, session);
  await assert.rejects(again.logon(), /connection closed/);
  await assert.rejects(
    t.db.withPlatform((tx) => removeFixSession(tx, client.tenantId, session.id, SYSTEM)),
    { code: 'FIX_ERR_SESSION_NOT_FOUND' },
  );
  // The runtime role cannot delete a session row at all.
  await assert.rejects(
    t.db.withTenant(client.tenantId, (tx) => tx`delete from fix_sessions where id = ${session.id}`),
    /permission denied/,
  );
  const reused = await createSessionFor(t.db, client, 'ATRIUM', 'GONE1');
  assert.notEqual(reused.id, session.id);
});

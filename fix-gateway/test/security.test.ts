import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { revokeApiClient } from '@atrium/tenants';
import { type FixApplicationMessage, type FixGateway, startFixGateway } from '../src/gateway.ts';
import { createUnauthenticatedTestSession, startTestFixGateway } from '../src/testing.ts';
import { type ClientFixture, connectAs, createClientFixture, createSessionFor, eventually, recordingLogger, SYSTEM } from './helpers.ts';

let t: TestDatabase;
let gateway: FixGateway;
let client: ClientFixture;
const delivered: FixApplicationMessage[] = [];
const logger = recordingLogger();
const SESSION = { senderCompId: 'ATRIUM', targetCompId: 'SEC1' };

before(async () => {
  t = await createTestDatabase();
  client = await createClientFixture(t.db);
  await createSessionFor(t.db, client, SESSION.senderCompId, SESSION.targetCompId);
  gateway = await startFixGateway({
    databaseUrl: t.appUrl,
    logger,
    onApplicationMessage: (_session, message) => {
      delivered.push(message);
    },
  });
});
after(async () => {
  await gateway.close();
  await t.drop();
});

const NEW_ORDER: [number, string][] = [
  [11, 'order-1'],
  [55, 'BTC-USD'],
  [54, '1'],
  [60, '20260101-00:00:00.000'],
  [38, '1'],
  [40, '1'],
];

test('application messages before Logon never reach onApplicationMessage, and the connection is closed', async () => {
  const initiator = await connectAs(gateway.port, client, SESSION);
  initiator.send('D', NEW_ORDER);
  initiator.send('0', []);
  initiator.send('D', NEW_ORDER);
  await initiator.closed;
  assert.equal(delivered.length, 0);
});

test('a Heartbeat first does not open the session for a NewOrderSingle after it', async () => {
  const initiator = await connectAs(gateway.port, client, SESSION);
  initiator.send('0', []);
  await initiator.closed;
  const again = await connectAs(gateway.port, client, SESSION, { nextSenderSeq: 2 });
  again.send('D', NEW_ORDER);
  await again.closed;
  assert.equal(delivered.length, 0);
});

test('a bad password gets a Logout with the reason, and the session state is untouched', async () => {
  const initiator = await connectAs(gateway.port, { ...client, secret: 'not-the-secret' }, SESSION);
  const answer = await initiator.logon();
  assert.equal(answer.msgType, '5');
  assert.match(answer.get(58) ?? '', /invalid credentials/);
  await initiator.closed;
  const [state] = await t.admin`select next_sender_seq from fix_session_state`;
  assert.equal(state, undefined, 'a refused Logon must not create or change sequence state');
});

test('a Logon without credentials, or with another client id, is refused', async () => {
  for (const fixture of [null, { ...client, clientId: 'atr-someone-else' }]) {
    const initiator = await connectAs(gateway.port, fixture, SESSION);
    const answer = await initiator.logon();
    assert.equal(answer.msgType, '5');
    await initiator.closed;
  }
});

test('the right secret logs on; an application message then reaches the handler', async () => {
  const initiator = await connectAs(gateway.port, client, SESSION);
  const answer = await initiator.logon();
  assert.equal(answer.msgType, 'A');
  initiator.send('D', NEW_ORDER);
  await eventually(() => delivered.length > 0);
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0]?.get(11), 'order-1');
  await initiator.logout();
});

test('a bare TCP connection and a second Logon never affect the live session', async () => {
  const live = await connectAs(gateway.port, client, SESSION);
  assert.equal((await live.logon()).msgType, 'A');
  const bare = await connectAs(gateway.port, client, SESSION);
  bare.sendRaw('garbage\x01');
  const second = await connectAs(gateway.port, client, SESSION);
  second.send('A', [
    [98, '0'],
    [108, '30'],
    [553, client.clientId],
    [554, client.secret],
  ]);
  await second.closed;
  bare.close();
  live.send('1', [[112, 'still-there']]);
  const heartbeat = await live.waitFor((message) => message.msgType === '0');
  assert.equal(heartbeat.get(112), 'still-there');
  await live.logout();
});

test('Password(554) is never logged', async () => {
  const initiator = await connectAs(gateway.port, { ...client, secret: 'wrong-secret-xyz' }, SESSION);
  await initiator.logon();
  await initiator.closed;
  const good = await connectAs(gateway.port, client, SESSION);
  await good.logon();
  good.sendRaw('8=FIX.4.4\x019=5\x0135=0\x0110=000\x01');
  await good.logout();
  const text = logger.lines.join('\n');
  assert.ok(!text.includes(client.secret), 'the secret appeared in the log');
  assert.ok(!text.includes('wrong-secret-xyz'), 'a wrong password appeared in the log');
});

test('a revoked API client is refused', async () => {
  const revoked = await createClientFixture(t.db, client.tenantId);
  await createSessionFor(t.db, revoked, 'ATRIUM', 'SEC2');
  await t.db.withTenant(revoked.tenantId, (tx) => revokeApiClient(tx, revoked.apiClientId, SYSTEM));
  await gateway.reloadSessions();
  const initiator = await connectAs(gateway.port, revoked, { senderCompId: 'ATRIUM', targetCompId: 'SEC2' });
  const answer = await initiator.logon();
  assert.equal(answer.msgType, '5');
  assert.match(answer.get(58) ?? '', /revoked or expired/);
});

test('the unauthenticated test session is refused by a normal gateway, and cannot be created in production', async () => {
  await createUnauthenticatedTestSession(t.db, client.tenantId, { senderCompId: 'ISLD', targetCompId: 'TW44' });
  await gateway.reloadSessions();
  const initiator = await connectAs(gateway.port, null, { senderCompId: 'ISLD', targetCompId: 'TW44' });
  initiator.send('A', [
    [98, '0'],
    [108, '30'],
  ]);
  await initiator.closed;
  assert.ok(logger.lines.some((line) => line.includes('test-only session refused')));

  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await assert.rejects(createUnauthenticatedTestSession(t.db, client.tenantId, { targetCompId: 'PROD' }), { code: 'FIX_ERR_TEST_ONLY' });
    await assert.rejects(startTestFixGateway({ databaseUrl: t.appUrl }), { code: 'FIX_ERR_TEST_ONLY' });
  } finally {
    process.env.NODE_ENV = previous;
  }
  await assert.rejects(
    t.admin`insert into fix_sessions (tenant_id, id, name, sender_comp_id, target_comp_id, authentication, api_client_id)
            values (${client.tenantId}, gen_random_uuid(), 'x', 'A', 'B', 'api-client', null)`,
    /check constraint/,
  );
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { revokeApiClient } from '@atrium/tenants';
import { type FixApplicationMessage, type FixGateway, startFixGateway } from '../src/gateway.ts';
import { encodeFields, encodeFrame, formatUtcTimestamp } from '../src/session/frames.ts';
import { updateFixSession } from '../src/sessions-table.ts';
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

/** A message from the counterparty of SESSION, as raw bytes (to pipeline several in one write). */
function frameFrom(msgType: string, seq: number, fields: [number, string][]): Buffer {
  return encodeFrame(
    {
      beginString: 'FIX.4.4',
      msgType,
      seq,
      senderCompId: SESSION.targetCompId,
      targetCompId: SESSION.senderCompId,
      sendingTime: formatUtcTimestamp(Date.now()),
    },
    encodeFields(fields),
  );
}

test('a Heartbeat first does not open the session for a NewOrderSingle after it', async () => {
  const initiator = await connectAs(gateway.port, client, SESSION);
  initiator.sendRaw(Buffer.concat([frameFrom('0', 1, []), frameFrom('D', 2, NEW_ORDER)]));
  await initiator.closed;
  assert.equal(delivered.length, 0);
});

test('a bad-password Logon pipelined with a NewOrderSingle in one write never reaches the handler', async () => {
  const initiator = await connectAs(gateway.port, client, SESSION);
  const logon = frameFrom('A', 1, [
    [98, '0'],
    [108, '30'],
    [141, 'Y'],
    [553, client.clientId],
    [554, 'not-the-secret'],
  ]);
  initiator.sendRaw(Buffer.concat([logon, frameFrom('D', 2, NEW_ORDER), frameFrom('D', 3, NEW_ORDER)]));
  const answer = await initiator.next();
  assert.equal(answer.msgType, '5');
  await initiator.closed;
  assert.equal(delivered.length, 0);
});

test('a bad password gets a Logout with the reason, and the session state is untouched', async () => {
  // State that exists: a logon that sent and received something, then logged out.
  const good = await connectAs(gateway.port, client, SESSION);
  assert.equal((await good.logon()).msgType, 'A');
  good.send('1', [[112, 'before']]);
  await good.waitFor((message) => message.msgType === '0');
  await good.logout();
  const read = () =>
    t.admin`select s.epoch, s.next_sender_seq, s.next_target_seq, s.owner, s.updated_at,
                   (select count(*) from fix_messages m where m.session_id = s.session_id) as messages
              from fix_session_state s join fix_sessions f on f.id = s.session_id where f.target_comp_id = ${SESSION.targetCompId}`;
  const [before] = await read();
  assert.ok(before, 'the good logon left sequence state');

  const initiator = await connectAs(gateway.port, { ...client, secret: 'not-the-secret' }, SESSION, { resetSeqNum: true });
  const answer = await initiator.logon();
  assert.equal(answer.msgType, '5');
  assert.match(answer.get(58) ?? '', /invalid credentials/);
  assert.equal(answer.get(34), String(before.next_sender_seq), 'the refusal uses the stored sequence number without taking it');
  await initiator.closed;
  const [afterwards] = await read();
  assert.deepEqual(afterwards, before, 'a refused Logon must not change sequence state or stored messages');
});

test('a stream of bad-password Logons does not keep the real counterparty out', async () => {
  let attacking = true;
  const attacks: Promise<unknown>[] = [];
  // Eight attackers at a time, each starting a new Logon as soon as the last is refused.
  for (let lane = 0; lane < 8; lane++) {
    attacks.push(
      (async () => {
        while (attacking) {
          const attacker = await connectAs(gateway.port, { ...client, secret: `wrong-${lane}` }, SESSION);
          await attacker.logon().catch(() => null);
          attacker.close();
        }
      })(),
    );
  }
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let attempt = 0; attempt < 3; attempt++) {
      const real = await connectAs(gateway.port, client, SESSION);
      const answer = await real.logon();
      assert.equal(answer.msgType, 'A', 'the real counterparty was refused while bad Logons were in flight');
      await real.logout();
    }
  } finally {
    attacking = false;
    await Promise.all(attacks);
  }
});

test('a Logon whose session is disabled while it is being authenticated is not bound', async () => {
  const session = await createSessionFor(t.db, client, 'ATRIUM', 'SEC3');
  let authenticating!: () => void;
  let proceed!: () => void;
  const started = new Promise<void>((resolve) => {
    authenticating = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    proceed = resolve;
  });
  const slow = await startFixGateway({
    databaseUrl: t.appUrl,
    authenticateLogon: async () => {
      authenticating();
      await gate;
      return { ok: true };
    },
  });
  try {
    const initiator = await connectAs(slow.port, client, session);
    const answer = initiator.logon();
    await started;
    await t.db.withPlatform((tx) => updateFixSession(tx, client.tenantId, session.id, { enabled: false }, SYSTEM));
    await slow.reloadSessions();
    proceed();
    await assert.rejects(answer, /connection closed/);
    assert.equal(slow.sessions().find((status) => status.session.id === session.id)?.loggedOn, false);
    const [state] = await t.admin`select owner from fix_session_state where session_id = ${session.id}`;
    assert.equal(state, undefined, 'the disabled session was claimed');
  } finally {
    proceed();
    await slow.close();
  }
});

test('RawData holding SOH and a Password tag with a leading zero are not logged', async () => {
  const initiator = await connectAs(gateway.port, client, SESSION);
  assert.equal((await initiator.logon()).msgType, 'A');
  // A garbled (wrong CheckSum) message is logged: its RawData holds an SOH, and 0554 is Password to a lax reader.
  const garbled = frameFrom('D', 2, [
    [95, '17'],
    [96, 'raw\x01secret-after-soh'.slice(0, 17)],
    [11, 'x'],
  ]);
  garbled[garbled.length - 2] = garbled[garbled.length - 2] === 0x30 ? 0x31 : 0x30;
  initiator.sendRaw(garbled);
  initiator.sendRaw(
    frameFrom('D', 2, [[11, 'x']])
      .toString('latin1')
      .replace('11=x', '0554=leading-zero-pw'),
  );
  initiator.send('1', [[112, 'after']], { seq: 2 });
  await initiator.waitFor((message) => message.msgType === '0' && message.get(112) === 'after');
  await initiator.logout();
  const text = logger.lines.join('\n');
  assert.ok(logger.lines.some((line) => line.includes('garbled message ignored')));
  assert.ok(!text.includes('secret-af'), 'RawData after its SOH appeared in the log');
  assert.ok(!text.includes('leading-zero-pw'), 'a Password tag with a leading zero appeared in the log');
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

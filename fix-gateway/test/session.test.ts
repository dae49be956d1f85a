// The bound session on the wire: what an inbound message must look like before the application
// sees it, and what goes out, in which order and as whom.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { type FixApplicationMessage, type FixGateway, startFixGateway } from '../src/gateway.ts';
import type { FixInitiator, ReceivedMessage } from '../src/initiator.ts';
import { updateFixSession } from '../src/sessions-table.ts';
import { type ClientFixture, connectAs, createClientFixture, createSessionFor, eventually, recordingLogger, SYSTEM } from './helpers.ts';

let t: TestDatabase;
let gateway: FixGateway;
let client: ClientFixture;
const delivered: FixApplicationMessage[] = [];
const logger = recordingLogger();
/** Called on every debug line: lets a test act at an exact point inside the gateway. */
let onDebug: (object: object) => void = () => {};
const SESSION = { senderCompId: 'ATRIUM', targetCompId: 'SESS1' };
let sessionId = '';

before(async () => {
  t = await createTestDatabase();
  client = await createClientFixture(t.db);
  sessionId = (await createSessionFor(t.db, client, SESSION.senderCompId, SESSION.targetCompId)).id;
  gateway = await startFixGateway({
    databaseUrl: t.appUrl,
    maxWritableBytes: 1024 * 1024,
    logger: {
      ...logger,
      debug(object, message) {
        logger.debug(object, message);
        onDebug(object);
      },
    },
    onApplicationMessage: (_session, message) => {
      delivered.push(message);
    },
  });
});
after(async () => {
  await gateway.close();
  await t.drop();
});

const ORDER: [number, string][] = [
  [11, 'order-1'],
  [55, 'BTC-USD'],
  [54, '1'],
  [60, '20260101-00:00:00.000'],
  [38, '1'],
  [40, '1'],
];

const REPORT = {
  OrderID: 'o-1',
  ExecID: 'e-1',
  ExecType: '0',
  OrdStatus: '0',
  Side: '1',
  LeavesQty: '1',
  CumQty: '0',
  AvgPx: '0',
  Instrument: { Symbol: 'BTC-USD' },
};

async function logOn(session = SESSION): Promise<FixInitiator> {
  const initiator = await connectAs(gateway.port, client, session);
  assert.equal((await initiator.logon()).msgType, 'A');
  return initiator;
}

function isReject(message: ReceivedMessage): boolean {
  return message.msgType === '3';
}

test('a repeated tag is rejected with 373=13, even a second SenderCompID, and never delivered', async () => {
  const initiator = await logOn();
  delivered.length = 0;
  const evil = initiator.send('D', [...ORDER, [49, 'EVIL']]);
  const first = await initiator.waitFor(isReject);
  assert.deepEqual([first.get(45), first.get(371), first.get(373)], [String(evil), '49', '13']);
  const twice = initiator.send('D', [...ORDER, [11, 'order-2']]);
  const second = await initiator.next();
  assert.deepEqual([second.get(45), second.get(371), second.get(373)], [String(twice), '11', '13']);
  // Tags inside a repeating group may repeat.
  initiator.send('D', [[453, '2'], [448, 'a'], [447, 'D'], [452, '1'], [448, 'b'], [447, 'D'], [452, '3'], ...ORDER]);
  await eventually(() => delivered.length === 1);
  assert.equal(delivered[0]?.header.SenderCompID, SESSION.targetCompId);
  await initiator.logout();
});

test('a header field after a body field is rejected with 373=14', async () => {
  const initiator = await logOn();
  delivered.length = 0;
  const seq = initiator.send('D', [...ORDER, [115, 'SOMEONE']]);
  const reject = await initiator.waitFor(isReject);
  assert.deepEqual([reject.get(45), reject.get(371), reject.get(373)], [String(seq), '115', '14']);
  initiator.send('1', [[112, 'after']]);
  await initiator.waitFor((message) => message.msgType === '0' && message.get(112) === 'after');
  assert.equal(delivered.length, 0);
  await initiator.logout();
});

test('a message the dictionary cannot decode gets a BusinessMessageReject and never reaches the handler', async () => {
  const initiator = await logOn();
  delivered.length = 0;
  // A group member before its NumInGroup passes the session checks, but cannot be decoded.
  const seq = initiator.send('D', [[448, 'p'], [453, '1'], ...ORDER]);
  const reject = await initiator.waitFor((message) => message.msgType === 'j');
  assert.deepEqual([reject.get(45), reject.get(372), reject.get(380)], [String(seq), 'D', '4']);
  assert.equal(delivered.length, 0);
  await initiator.logout();
});

test('send() refuses session-level message types', async () => {
  const initiator = await logOn();
  for (const msgType of ['A', '5', '4', '2', '0', '1', '3']) {
    await assert.rejects(gateway.send(sessionId, msgType, {}), { code: 'FIX_ERR_MESSAGE_INVALID' });
  }
  initiator.send('1', [[112, 'still-in-sequence']]);
  const heartbeat = await initiator.waitFor((message) => message.msgType === '0');
  assert.equal(heartbeat.get(34), '2');
  await initiator.logout();
});

test('an application message sent during a resend goes out after the resent messages, with a higher MsgSeqNum', async () => {
  const initiator = await logOn();
  for (let i = 0; i < 3; i++) await gateway.send(sessionId, '8', { ...REPORT, ExecID: `e-${i}` });
  for (let i = 0; i < 3; i++) assert.equal((await initiator.next()).get(43), undefined);
  let during: Promise<number> | null = null;
  onDebug = (object) => {
    if (!during && String((object as { event?: string }).event).startsWith('ResendRequest')) {
      during = gateway.send(sessionId, '8', { ...REPORT, ExecID: 'during' });
    }
  };
  try {
    initiator.send('2', [
      [7, '2'],
      [16, '0'],
    ]);
    const received: ReceivedMessage[] = [];
    while (received.at(-1)?.get(17) !== 'during') received.push(await initiator.next());
    const seqs = received.map((message) => Number(message.get(34)));
    assert.deepEqual(
      received.map((message) => [message.msgType, message.get(43) ?? 'N']),
      [
        ['8', 'Y'],
        ['8', 'Y'],
        ['8', 'Y'],
        ['8', 'N'],
      ],
    );
    assert.deepEqual(seqs, [2, 3, 4, 5]);
    assert.equal(await during, 5);
  } finally {
    onDebug = () => {};
  }
  await initiator.logout();
});

test('when its CompIDs change, a live session is logged out under the CompIDs it logged on with', async () => {
  const session = await createSessionFor(t.db, client, 'ATRIUM', 'SESS2');
  await gateway.reloadSessions();
  const initiator = await logOn(session);
  await t.db.withPlatform((tx) => updateFixSession(tx, client.tenantId, session.id, { senderCompId: 'ATRIUM-NEW' }, SYSTEM));
  const logout = await initiator.waitFor((message) => message.msgType === '5');
  assert.equal(logout.get(58), 'Session configuration changed');
  assert.deepEqual([logout.get(49), logout.get(56)], ['ATRIUM', 'SESS2']);
  initiator.send('5', []);
  await initiator.closed;
});

test('a counterparty that does not read is disconnected once too much is waiting for it', async () => {
  const session = await createSessionFor(t.db, client, 'ATRIUM', 'SESS3');
  await gateway.reloadSessions();
  const initiator = await logOn(session);
  initiator.socket.pause();
  const text = 'x'.repeat(32 * 1024);
  let refused = false;
  for (let batch = 0; batch < 100 && !refused; batch++) {
    const sends = Array.from({ length: 20 }, (_, i) =>
      gateway.send(session.id, '8', { ...REPORT, ExecID: `big-${batch}-${i}`, Text: text }),
    );
    const results = await Promise.allSettled(sends);
    refused = results.some((result) => result.status === 'rejected');
  }
  await eventually(() => gateway.sessions().find((status) => status.session.id === session.id)?.loggedOn === false);
  assert.ok(logger.lines.some((line) => line.includes('counterparty not reading')));
  initiator.close();
});

test('a MsgSeqNum beyond 2^31-1 is rejected with 373=5, and the session goes on', async () => {
  const initiator = await logOn();
  initiator.send('1', [[112, 'huge']], { seq: 2_147_483_648 });
  const reject = await initiator.waitFor(isReject);
  assert.deepEqual([reject.get(371), reject.get(373)], ['34', '5']);
  // A rejected SequenceReset does not take its MsgSeqNum (as in QuickFIX), so 2 is expected next again.
  initiator.send('4', [
    [36, '2147483648'],
    [123, 'Y'],
  ]);
  const second = await initiator.waitFor(isReject);
  assert.deepEqual([second.get(371), second.get(373)], ['36', '5']);
  initiator.send('1', [[112, 'normal']], { seq: 2 });
  const heartbeat = await initiator.waitFor((message) => message.msgType === '0');
  assert.equal(heartbeat.get(112), 'normal');
  await initiator.logout();
});

test('a resend longer than one read of the store replays every message in order', async () => {
  const session = await createSessionFor(t.db, client, 'ATRIUM', 'SESS4');
  await gateway.reloadSessions();
  const initiator = await logOn(session);
  const count = 1100;
  const seqs = await Promise.all(Array.from({ length: count }, (_, i) => gateway.send(session.id, '8', { ...REPORT, ExecID: `r-${i}` })));
  assert.deepEqual(
    seqs,
    Array.from({ length: count }, (_, i) => i + 2),
  );
  for (let i = 0; i < count; i++) await initiator.next();
  initiator.send('2', [
    [7, '2'],
    [16, '0'],
  ]);
  for (let i = 0; i < count; i++) {
    const resent = await initiator.next();
    assert.deepEqual([resent.msgType, resent.get(34), resent.get(43), resent.get(17)], ['8', String(i + 2), 'Y', `r-${i}`]);
  }
  await initiator.logout();
});

// Hostile input on one connection: random bytes, truncated frames, wrong checksums, oversized
// messages and floods. That session rejects or disconnects as FIX prescribes; a second live
// session on the same gateway keeps working, and nothing crashes the process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import fc from 'fast-check';
import { type FixGateway, startFixGateway } from '../src/gateway.ts';
import type { FixInitiator, ReceivedMessage } from '../src/initiator.ts';
import { encodeFrame, formatUtcTimestamp } from '../src/session/frames.ts';
import { type ClientFixture, connectAs, createClientFixture, createSessionFor } from './helpers.ts';

const TARGET = { senderCompId: 'ATRIUM', targetCompId: 'FUZZ1' };
const BYSTANDER = { senderCompId: 'ATRIUM', targetCompId: 'FUZZ2' };

let t: TestDatabase;
let gateway: FixGateway;
let client: ClientFixture;
let bystander: FixInitiator;
let probes = 0;

before(async () => {
  t = await createTestDatabase();
  client = await createClientFixture(t.db);
  await createSessionFor(t.db, client, TARGET.senderCompId, TARGET.targetCompId);
  await createSessionFor(t.db, client, BYSTANDER.senderCompId, BYSTANDER.targetCompId);
  gateway = await startFixGateway({ databaseUrl: t.appUrl, maxMessageBytes: 16 * 1024, logonTimeoutMs: 1000 });
  bystander = await connectAs(gateway.port, client, BYSTANDER);
  assert.equal((await bystander.logon()).msgType, 'A');
});
after(async () => {
  await bystander?.logout();
  await gateway.close();
  await t.drop();
});

/** The last MsgSeqNum the bystander received: every answer must come next, and nothing else may arrive. */
let bystanderLastSeq = 1;

async function assertBystanderAlive(): Promise<void> {
  const id = `probe-${++probes}`;
  bystander.send('1', [[112, id]]);
  for (;;) {
    const message = await bystander.next(5000);
    // Besides the answer, only its own heartbeat traffic may arrive (the test can outlast HeartBtInt).
    const ownHeartbeat =
      (message.msgType === '0' || message.msgType === '1') && message.get(112) !== id && !message.get(112)?.startsWith('probe-');
    assert.ok(message.get(112) === id || ownHeartbeat, `the bystander received something unexpected: ${message.msgType}`);
    assert.equal(Number(message.get(34)), bystanderLastSeq + 1, "the bystander's sequence numbers did not continue");
    bystanderLastSeq++;
    if (message.get(112) === id) break;
  }
  const status = gateway.sessions().find((entry) => entry.session.targetCompId === BYSTANDER.targetCompId);
  assert.equal(status?.loggedOn, true);
  assert.equal(status?.nextTargetSeq, bystander.nextSenderSeq);
  assert.equal(status?.nextSenderSeq, bystanderLastSeq + 1);
}

const SESSION_LEVEL = new Set(['0', '1', '2', '3', '4', '5', 'A', 'j']);
const LOGOUT_TEXTS = [/^$/, /^Message too large$/, /^MsgSeqNum too low/, /^Too many messages ahead/, /^Incorrect BeginString$/];

/** Everything the attacker receives until the gateway closes the connection (or `settleMs` of silence). */
function collect(attacker: FixInitiator, settleMs: number): Promise<ReceivedMessage[]> {
  return (async () => {
    const received: ReceivedMessage[] = [];
    for (;;) {
      try {
        received.push(await attacker.next(settleMs));
      } catch {
        return received;
      }
    }
  })();
}

function frame(msgType: string, seq: number, body: string): Buffer {
  return encodeFrame(
    {
      beginString: 'FIX.4.4',
      msgType,
      seq,
      senderCompId: TARGET.targetCompId,
      targetCompId: TARGET.senderCompId,
      sendingTime: formatUtcTimestamp(Date.now()),
    },
    Buffer.from(body, 'latin1'),
  );
}

const chunk = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  fc.tuple(fc.integer({ min: 2, max: 200 }), fc.integer({ min: 1, max: 60 })).map(([seq, cut]) => {
    const whole = frame('0', seq, '');
    return whole.subarray(0, Math.max(1, whole.length - cut));
  }),
  fc.integer({ min: 2, max: 200 }).map((seq) => {
    const bad = frame('1', seq, '112=x\x01');
    bad[bad.length - 2] = bad[bad.length - 2] === 0x30 ? 0x31 : 0x30;
    return bad;
  }),
  fc.integer({ min: 17_000, max: 99_999_999 }).map((length) => Buffer.from(`8=FIX.4.4\x019=${length}\x0135=0\x01`)),
  fc
    .array(fc.tuple(fc.integer({ min: -5, max: 6000 }), fc.string({ maxLength: 20 })), { maxLength: 12 })
    .map((fields) => frame('D', 2, fields.map(([tag, value]) => `${tag}=${value.replaceAll('\x01', '')}\x01`).join(''))),
  fc.integer({ min: 50, max: 400 }).map((count) => Buffer.concat(Array.from({ length: count }, (_, i) => frame('0', i + 2, '')))),
);

test('no sequence of hostile chunks, before or after Logon, disturbs another session or crashes the gateway', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.boolean(),
      fc.boolean(),
      fc.array(chunk, { minLength: 1, maxLength: 6 }),
      async (logOnFirst, impersonate, chunks) => {
        // Someone with the bystander's CompIDs but not its secret, sending garbage after a bad Logon.
        const impostor = impersonate ? await connectAs(gateway.port, { ...client, secret: 'guessed' }, BYSTANDER) : null;
        if (impostor) {
          impostor.send('A', [
            [98, '0'],
            [108, '30'],
            [553, client.clientId],
            [554, 'guessed'],
          ]);
          impostor.sendRaw(chunks[0] ?? Buffer.alloc(0));
        }
        const attacker = await connectAs(gateway.port, client, TARGET);
        const loggedOn = logOnFirst ? (await attacker.logon().catch(() => null))?.msgType === 'A' : false;
        for (const bytes of chunks) attacker.sendRaw(bytes);
        const received = await collect(attacker, loggedOn ? 300 : 2000);
        if (!loggedOn) {
          // Before Logon nothing is answered, and the gateway closes the connection itself (at the latest after logonTimeoutMs).
          assert.deepEqual(
            received.map((message) => message.msgType),
            [],
          );
          await attacker.closed;
        } else {
          let expected = 2;
          for (const message of received) {
            assert.ok(SESSION_LEVEL.has(message.msgType), `unexpected MsgType ${message.msgType}`);
            if (message.get(43) !== 'Y') assert.equal(Number(message.get(34)), expected++, 'the attacked session skipped a MsgSeqNum');
            if (message.msgType === '5') {
              const text = message.get(58) ?? '';
              assert.ok(
                LOGOUT_TEXTS.some((pattern) => pattern.test(text)),
                `unexpected Logout: ${text}`,
              );
            }
          }
        }
        if (impostor) {
          await impostor.closed;
          const answers = await collect(impostor, 50);
          assert.deepEqual(answers, [], 'the impostor was answered');
        }
        await assertBystanderAlive();
        attacker.close();
        await attacker.closed;
        await gateway.whenSessionIdle(gateway.sessions().find((status) => status.session.targetCompId === 'FUZZ1')?.session.id ?? '');
      },
    ),
    { numRuns: 40 },
  );
});

test('a garbled message after Logon is ignored and the session stays up', async () => {
  const initiator = await connectAs(gateway.port, client, TARGET);
  assert.equal((await initiator.logon()).msgType, 'A');
  const badChecksum = frame('1', 2, '112=x\x01');
  badChecksum[badChecksum.length - 3] = badChecksum[badChecksum.length - 3] === 0x30 ? 0x31 : 0x30;
  initiator.sendRaw(badChecksum);
  initiator.sendRaw('8=FIX.4.4\x019=3\x0135=0\x0134=2\x0110=000\x01');
  initiator.send('1', [[112, 'after-garbage']], { seq: 2 });
  const heartbeat = await initiator.waitFor((message) => message.msgType === '0');
  assert.equal(heartbeat.get(112), 'after-garbage');
  await initiator.logout();
});

test('an oversized message ends the session with a Logout', async () => {
  const initiator = await connectAs(gateway.port, client, TARGET);
  assert.equal((await initiator.logon()).msgType, 'A');
  initiator.sendRaw(`8=FIX.4.4\x019=1000000\x0135=0\x01`);
  const logout = await initiator.waitFor((message) => message.msgType === '5');
  assert.equal(logout.get(58), 'Message too large');
  await initiator.closed;
  await assertBystanderAlive();
});

test('a flood of valid messages is processed in order without losing the session', async () => {
  const initiator = await connectAs(gateway.port, client, TARGET);
  assert.equal((await initiator.logon()).msgType, 'A');
  const count = 2000;
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i++) frames.push(frame('1', i + 2, `112=f${i}\x01`));
  initiator.sendRaw(Buffer.concat(frames));
  let last = '';
  for (let i = 0; i < count; i++) last = (await initiator.waitFor((message) => message.msgType === '0', 20_000)).get(112) ?? '';
  assert.equal(last, `f${count - 1}`);
  await initiator.logout();
  await assertBystanderAlive();
});

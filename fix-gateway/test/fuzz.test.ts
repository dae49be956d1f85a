// Hostile input on one connection: random bytes, truncated frames, wrong checksums, oversized
// messages and floods. That session rejects or disconnects as FIX prescribes; a second live
// session on the same gateway keeps working, and nothing crashes the process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import fc from 'fast-check';
import { type FixGateway, startFixGateway } from '../src/gateway.ts';
import type { FixInitiator } from '../src/initiator.ts';
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
  gateway = await startFixGateway({ databaseUrl: t.appUrl, maxMessageBytes: 16 * 1024, logonTimeoutMs: 2000 });
  bystander = await connectAs(gateway.port, client, BYSTANDER);
  assert.equal((await bystander.logon()).msgType, 'A');
});
after(async () => {
  await bystander?.logout();
  await gateway.close();
  await t.drop();
});

async function assertBystanderAlive(): Promise<void> {
  const id = `probe-${++probes}`;
  bystander.send('1', [[112, id]]);
  const answer = await bystander.waitFor((message) => message.msgType === '0' && message.get(112) === id, 5000);
  assert.equal(answer.get(112), id);
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
    fc.asyncProperty(fc.boolean(), fc.array(chunk, { minLength: 1, maxLength: 6 }), async (logOnFirst, chunks) => {
      const attacker = await connectAs(gateway.port, client, TARGET);
      if (logOnFirst) await attacker.logon().catch(() => {});
      for (const bytes of chunks) attacker.sendRaw(bytes);
      await assertBystanderAlive();
      attacker.close();
      await attacker.closed;
      await gateway.whenSessionIdle(gateway.sessions().find((status) => status.session.targetCompId === 'FUZZ1')?.session.id ?? '');
    }),
    { numRuns: 25 },
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

// Kill the gateway process with SIGKILL mid-session: on reconnect the sequence numbers continue,
// and a ResendRequest is answered from the PostgreSQL store.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { startFixGateway } from '../src/gateway.ts';
import type { FixInitiator } from '../src/initiator.ts';
import { type ClientFixture, connectAs, createClientFixture, createSessionFor, eventually } from './helpers.ts';

const CHILD = path.join(import.meta.dirname, 'fixtures', 'gateway-process.ts');
const SESSION = { senderCompId: 'ATRIUM', targetCompId: 'RESTART1' };

let t: TestDatabase;
let client: ClientFixture;
const children: ChildProcess[] = [];

before(async () => {
  t = await createTestDatabase();
  client = await createClientFixture(t.db);
  await createSessionFor(t.db, client, SESSION.senderCompId, SESSION.targetCompId);
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await t.drop();
});

async function startChild(instanceId: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, FIX_TEST_DATABASE_URL: t.appUrl, FIX_TEST_INSTANCE_ID: instanceId },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gateway process did not report its port within 30 s')), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway process exited with ${code}`));
    });
  });
  return { child, port };
}

function newOrder(initiator: FixInitiator, clOrdId: string): number {
  return initiator.send('D', [
    [11, clOrdId],
    [55, 'BTC-USD'],
    [54, '1'],
    [60, '20260101-00:00:00.000'],
    [38, '0.5'],
    [40, '1'],
  ]);
}

test('after SIGKILL the sequence numbers continue and a gap is filled from the store', async () => {
  const first = await startChild('restart-a');
  const before = await connectAs(first.port, client, SESSION);
  assert.equal((await before.logon()).get(34), '1');
  const reports = [];
  for (const id of ['c1', 'c2', 'c3']) {
    newOrder(before, id);
    reports.push(await before.waitFor((message) => message.msgType === '8'));
  }
  assert.deepEqual(
    reports.map((report) => [report.get(34), report.get(11), report.get(151)]),
    [
      ['2', 'c1', '0.5'],
      ['3', 'c2', '0.5'],
      ['4', 'c3', '0.5'],
    ],
  );
  // Everything sent was stored before it was written; the inbound number follows right behind.
  await eventually(async () => {
    const [state] = await t.admin`select next_sender_seq, next_target_seq from fix_session_state`;
    return state?.next_sender_seq === 5 && state?.next_target_seq === 5;
  });

  first.child.kill('SIGKILL');
  await before.closed;

  const second = await startChild('restart-b');
  const after = await connectAs(second.port, client, SESSION, { resetSeqNum: false, nextSenderSeq: 5 });
  const logon = await after.logon();
  assert.equal(logon.msgType, 'A');
  assert.equal(logon.get(34), '5', 'our sequence continues after the restart');

  // We pretend to have missed everything from 2: ERs come again as PossDup, the Logon as a gap fill.
  after.send('2', [
    [7, '2'],
    [16, '0'],
  ]);
  const resent = [await after.next(), await after.next(), await after.next(), await after.next()];
  assert.deepEqual(
    resent.map((message) => [message.msgType, message.get(34), message.get(43)]),
    [
      ['8', '2', 'Y'],
      ['8', '3', 'Y'],
      ['8', '4', 'Y'],
      ['4', '5', 'Y'],
    ],
  );
  assert.deepEqual(
    resent.slice(0, 3).map((message) => message.get(122)),
    reports.map((report) => report.get(52)),
    'OrigSendingTime is the first SendingTime',
  );
  assert.equal(resent[3]?.get(36), '6');
  assert.equal(resent[3]?.get(123), 'Y');

  // The inbound side continued too: the next order is processed, not queued behind a ResendRequest.
  newOrder(after, 'c4');
  const next = await after.waitFor((message) => message.msgType === '8' || message.msgType === '2');
  assert.equal(next.msgType, '8');
  assert.equal(next.get(34), '6');
  await after.logout();
});

test('a second gateway instance refuses a session another instance holds', async () => {
  const holder = await startChild('holder');
  const live = await connectAs(holder.port, client, SESSION);
  assert.equal((await live.logon()).msgType, 'A');
  const other = await startFixGateway({ databaseUrl: t.appUrl, instanceId: 'other' });
  try {
    const intruder = await connectAs(other.port, client, SESSION);
    const answer = await intruder.logon();
    assert.equal(answer.msgType, '5');
    assert.equal(answer.get(58), 'Session is active elsewhere');
    await intruder.closed;
    live.send('1', [[112, 'alive']]);
    assert.equal((await live.waitFor((message) => message.msgType === '0')).get(112), 'alive');
    await live.logout();
  } finally {
    await other.close();
    holder.child.kill('SIGKILL');
  }
});

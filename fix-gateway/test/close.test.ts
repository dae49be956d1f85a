// close() with a session still logged on: it logs it out and finishes without the counterparty's help.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { startFixGateway } from '../src/gateway.ts';
import { type ClientFixture, connectAs, createClientFixture, createSessionFor } from './helpers.ts';

let t: TestDatabase;
let client: ClientFixture;
const SESSION = { senderCompId: 'ATRIUM', targetCompId: 'CLOSE1' };

before(async () => {
  t = await createTestDatabase();
  client = await createClientFixture(t.db);
  await createSessionFor(t.db, client, SESSION.senderCompId, SESSION.targetCompId);
});
after(() => t.drop());

test('close() logs out a live session and returns although the counterparty never answers', async () => {
  const gateway = await startFixGateway({ databaseUrl: t.appUrl, logoutTimeoutMs: 500 });
  const initiator = await connectAs(gateway.port, client, SESSION);
  assert.equal((await initiator.logon()).msgType, 'A');
  const closed = gateway.close();
  const logout = await initiator.waitFor((message) => message.msgType === '5');
  assert.equal(logout.get(58), 'Gateway shutting down');
  await closed;
  await initiator.closed;
});

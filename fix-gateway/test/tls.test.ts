import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { type FixApplicationMessage, type FixGateway, startFixGateway } from '../src/gateway.ts';
import { type ClientFixture, connectAs, createClientFixture, createSessionFor, eventually } from './helpers.ts';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));
const cert = fixture('tls-test-cert.pem');
const SESSION = { senderCompId: 'ATRIUM', targetCompId: 'TLS1' };
let t: TestDatabase;
let gateway: FixGateway;
let client: ClientFixture;
const delivered: FixApplicationMessage[] = [];

before(async () => {
  t = await createTestDatabase();
  client = await createClientFixture(t.db);
  await createSessionFor(t.db, client, SESSION.senderCompId, SESSION.targetCompId);
  gateway = await startFixGateway({
    databaseUrl: t.appUrl,
    tls: { cert, key: fixture('tls-test-key.pem'), minVersion: 'TLSv1.2' },
    onApplicationMessage: (_session, message) => {
      delivered.push(message);
    },
  });
});
after(async () => {
  await gateway.close();
  await t.drop();
});

test('over TLS, a counterparty that trusts the certificate logs on and its order reaches the application', async () => {
  const initiator = await connectAs(gateway.port, client, SESSION, { tls: { ca: cert, servername: 'localhost' } });
  const answer = await initiator.logon();
  assert.equal(answer.msgType, 'A');
  initiator.send('D', [
    [11, 'tls-order-1'],
    [55, 'BTC-USD'],
    [54, '1'],
    [60, '20260101-00:00:00.000'],
    [38, '1'],
    [40, '1'],
  ]);
  await eventually(() => delivered.length === 1);
  assert.equal(delivered[0]?.get(11), 'tls-order-1');
  await initiator.logout();
});

test('a plain-TCP FIX Logon to the TLS port never logs on', async () => {
  const initiator = await connectAs(gateway.port, client, SESSION);
  initiator.sendRaw('8=FIX.4.4\x019=5\x0135=A\x0110=000\x01');
  await initiator.closed;
  assert.equal(delivered.length, 1, 'nothing more reached the application');
});

test('a counterparty that does not trust the certificate is refused by its own TLS check', async () => {
  await assert.rejects(connectAs(gateway.port, client, SESSION, { tls: { servername: 'localhost' } }), /self[- ]signed|unable to verify/i);
});

// Every QuickFIX FIX 4.4 session acceptance script, played by the acceptance runner against
// the gateway's test-only ISLD/TW44 session. Two gateways (each with its own database) run
// side by side so that the slow heartbeat scripts do not hold up the rest.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@atrium/db/testing';
import { type AcceptanceTarget, runAcceptanceScript } from '../src/acceptance/runner.ts';
import type { FixGateway } from '../src/gateway.ts';
import { createTestTenant, createUnauthenticatedTestSession, startTestFixGateway } from '../src/testing.ts';

const SCRIPTS_DIR = path.resolve(import.meta.dirname, 'fixtures/fix44-acceptance');
const scripts = readdirSync(SCRIPTS_DIR)
  .filter((name) => name.endsWith('.def'))
  .sort();
const SLOW = /^(4a|6)_/;

interface Lane {
  database: TestDatabase;
  gateway: FixGateway;
  target: AcceptanceTarget;
  queue: Promise<unknown>;
}

async function startLane(): Promise<Lane> {
  const database = await createTestDatabase();
  const tenantId = await createTestTenant(database.db);
  const session = await createUnauthenticatedTestSession(database.db, tenantId);
  const gateway = await startTestFixGateway({ databaseUrl: database.appUrl, host: '127.0.0.1', port: 0 });
  const target: AcceptanceTarget = {
    host: '127.0.0.1',
    port: gateway.port,
    resetSession: () => gateway.whenSessionIdle(session.id),
  };
  return { database, gateway, target, queue: Promise.resolve() };
}

/** Scripts of one lane run one after another. */
function inLane<T>(lane: Lane, run: () => Promise<T>): Promise<T> {
  const result = lane.queue.then(run);
  lane.queue = result.catch(() => {});
  return result;
}

let slow: Lane;
let fast: Lane;
before(async () => {
  [slow, fast] = await Promise.all([startLane(), startLane()]);
});
after(async () => {
  for (const lane of [slow, fast]) {
    await lane?.gateway.close();
    await lane?.database.drop();
  }
});

test('the acceptance scripts are present', () => {
  assert.ok(scripts.length >= 29, `expected the QuickFIX scripts in ${SCRIPTS_DIR}, found ${scripts.length}`);
});

describe('QuickFIX FIX 4.4 session acceptance', { concurrency: true }, () => {
  for (const script of scripts) {
    test(script.replace(/\.def$/, ''), async () => {
      const lane = SLOW.test(script) ? slow : fast;
      const result = await inLane(lane, () =>
        runAcceptanceScript(path.join(SCRIPTS_DIR, script), lane.target, { expectTimeoutMs: 20_000 }),
      );
      assert.ok(result.passed, result.failures.join('\n'));
    });
  }
});

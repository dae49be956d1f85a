// Fixtures for the gateway tests: a tenant with an API client, sessions on it, a gateway.
import type { AuditContext } from '@atrium/compliance';
import type { Database } from '@atrium/db';
import { createApiClient } from '@atrium/tenants';
import type { FixGatewayOptions, FixLogger } from '../src/gateway.ts';
import { connectFixInitiator, type FixInitiator, type FixInitiatorOptions } from '../src/initiator.ts';
import { createFixSession, type FixSession } from '../src/sessions-table.ts';
import { createTestTenant } from '../src/testing.ts';

export const SYSTEM: AuditContext = { actor: { type: 'system', id: 'fix-gateway-tests' } };

export interface ClientFixture {
  tenantId: string;
  apiClientId: string;
  clientId: string;
  secret: string;
}

export async function createClientFixture(db: Database, tenantId?: string): Promise<ClientFixture> {
  const tenant = tenantId ?? (await createTestTenant(db));
  const { client, clientSecret } = await db.withTenant(tenant, (tx) =>
    createApiClient(tx, { name: 'FIX client', roles: ['trader'] }, SYSTEM),
  );
  return { tenantId: tenant, apiClientId: client.id, clientId: client.clientId, secret: clientSecret };
}

export function createSessionFor(
  db: Database,
  fixture: ClientFixture,
  senderCompId: string,
  targetCompId: string,
  extra: Partial<FixSession> = {},
) {
  return db.withPlatform((tx) =>
    createFixSession(
      tx,
      fixture.tenantId,
      {
        name: `${targetCompId} session`,
        senderCompId,
        targetCompId,
        apiClientId: fixture.apiClientId,
        resetOnLogon: extra.resetOnLogon ?? false,
      },
      SYSTEM,
    ),
  );
}

export function connectAs(
  port: number,
  fixture: ClientFixture | null,
  session: { senderCompId: string; targetCompId: string },
  options: Partial<FixInitiatorOptions> = {},
): Promise<FixInitiator> {
  return connectFixInitiator({
    host: '127.0.0.1',
    port,
    senderCompId: session.targetCompId,
    targetCompId: session.senderCompId,
    username: fixture?.clientId,
    password: fixture?.secret,
    // Each test starts the session's sequence numbers afresh unless it says otherwise.
    resetSeqNum: true,
    ...options,
  });
}

/** A logger that keeps every line, to assert on what was (not) logged. */
export function recordingLogger(): FixLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (object: object, message?: string) => {
    lines.push(`${level} ${message ?? ''} ${JSON.stringify(object, (_key, value) => (value instanceof Error ? value.message : value))}`);
  };
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export type { FixGatewayOptions };

// Test-only doors: the QuickFIX acceptance scripts' session (ISLD/TW44, reset on logon, no
// authentication) and a gateway that accepts it. Both refuse to run with NODE_ENV=production,
// and the sessions-table API cannot create such a session at all.
import { randomBytes } from 'node:crypto';
import type { AuditContext } from '@atrium/compliance';
import type { Database } from '@atrium/db';
import { createReseller, createTenant } from '@atrium/tenants';
import { FixTestOnlyError } from './errors.ts';
import { ALLOW_TEST_SESSIONS, type FixGateway, type FixGatewayOptions, startFixGateway } from './gateway.ts';
import { type FixSession, insertFixSession } from './sessions-table.ts';

const TEST_ACTOR: AuditContext = { actor: { type: 'system', id: 'fix-gateway-tests' } };

function refuseInProduction(what: string): void {
  if (process.env.NODE_ENV === 'production') throw new FixTestOnlyError(what);
}

/** A gateway that also accepts test-unauthenticated sessions; on loopback only, whatever `host` says. */
export async function startTestFixGateway(options: FixGatewayOptions): Promise<FixGateway> {
  refuseInProduction('startTestFixGateway');
  return startFixGateway({ ...options, host: '127.0.0.1', [ALLOW_TEST_SESSIONS]: true });
}

/** A throwaway reseller and tenant to own test sessions. */
export async function createTestTenant(db: Database): Promise<string> {
  refuseInProduction('createTestTenant');
  const suffix = randomBytes(4).toString('hex');
  return db.withPlatform(async (tx) => {
    const reseller = await createReseller(tx, { slug: `fix-test-${suffix}`, name: 'FIX tests' });
    const tenant = await createTenant(tx, reseller.id, { slug: `fix-${suffix}`, name: 'FIX tests', legalName: 'FIX tests' }, TEST_ACTOR);
    return tenant.id;
  });
}

/**
 * A session authenticated by its configuration alone, as the acceptance scripts expect:
 * by default SenderCompID ISLD, TargetCompID TW44, ResetOnLogon.
 */
export async function createUnauthenticatedTestSession(
  db: Database,
  tenantId: string,
  input: { senderCompId?: string; targetCompId?: string; resetOnLogon?: boolean; name?: string } = {},
): Promise<FixSession> {
  refuseInProduction('createUnauthenticatedTestSession');
  return db.withPlatform((tx) =>
    insertFixSession(
      tx,
      tenantId,
      {
        name: input.name ?? 'QuickFIX acceptance',
        senderCompId: input.senderCompId ?? 'ISLD',
        targetCompId: input.targetCompId ?? 'TW44',
        resetOnLogon: input.resetOnLogon ?? true,
        apiClientId: null,
        authentication: 'test-unauthenticated',
      },
      TEST_ACTOR,
    ),
  );
}

// Logon authentication: Username(553) and Password(554) against the session's API client,
// with the identity issue's scrypt verification; revoked or expired clients are refused,
// and so are addresses outside the client's IP allowlist.
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Database } from '@atrium/db';
import { findApiClientCredentials, isApiClientUsable, verifyClientSecret } from '@atrium/tenants';
import type { FixSession } from './sessions-table.ts';

export interface LogonAttempt {
  session: FixSession;
  /** Username(553). */
  username: string | undefined;
  /** Password(554): never logged, never stored. */
  password: string | undefined;
  remoteAddress: string;
}

export type LogonDecision = { ok: true } | { ok: false; reason: string };

/** May be asynchronous; the Logout sent on refusal carries `reason`. */
export type LogonAuthenticator = (attempt: LogonAttempt) => Promise<LogonDecision>;

const REFUSED: LogonDecision = { ok: false, reason: 'Logon refused: invalid credentials' };

export function apiClientAuthenticator(db: Database): LogonAuthenticator {
  return async ({ session, username, password, remoteAddress }) => {
    if (session.authentication !== 'api-client' || !session.apiClientId || !username || !password) return REFUSED;
    const client = await findApiClientCredentials(db, username);
    if (!client || client.tenantId !== session.tenantId) return REFUSED;
    // The session names the client by id; the Logon names it by client_id.
    const [row] = await db.withTenant(
      session.tenantId,
      (tx) => tx<{ id: string }[]>`select id from api_clients where tenant_id = ${session.tenantId} and client_id = ${username}`,
    );
    if (row?.id !== session.apiClientId) return REFUSED;
    // Verify the secret even for an unusable client, so timing does not tell them apart.
    const secretOk = await verifyClientSecret(client.secretHash, password);
    if (!secretOk) return REFUSED;
    if (!isApiClientUsable(client)) return { ok: false, reason: 'Logon refused: API client revoked or expired' };
    if (!isAllowedAddress(client.ipAllowlist, remoteAddress)) return { ok: false, reason: 'Logon refused: address not allowed' };
    return { ok: true };
  };
}

function isAllowedAddress(allowlist: readonly string[], remoteAddress: string): boolean {
  if (allowlist.length === 0) return true;
  const address = remoteAddress.startsWith('::ffff:') && isIPv4(remoteAddress.slice(7)) ? remoteAddress.slice(7) : remoteAddress;
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null;
  if (!family) return false;
  const blocks = new BlockList();
  for (const entry of allowlist) {
    const [network = '', prefix] = entry.split('/');
    const entryFamily = isIPv4(network) ? 'ipv4' : 'ipv6';
    blocks.addSubnet(network, Number(prefix ?? (entryFamily === 'ipv4' ? 32 : 128)), entryFamily);
  }
  return blocks.check(address, family);
}

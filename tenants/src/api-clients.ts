import { randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { type AuditContext, appendAuditEvent } from '@atrium/compliance';
import { type Database, decodeCursor, newId, type Page, type TenantTx, toPage } from '@atrium/db';
import createError from '@fastify/error';
import type { Role } from './identity/roles.ts';
import { hashClientSecret, newClientSecret } from './identity/secrets.ts';

export const ApiClientNotFoundError = createError('TEN_ERR_API_CLIENT_NOT_FOUND', 'API client not found', 404);
export const ApiClientRevokedError = createError('TEN_ERR_API_CLIENT_REVOKED', 'API client %s is already revoked', 422);
export const InvalidIpAllowlistError = createError('TEN_ERR_INVALID_IP_ALLOWLIST', 'Not an IP address or CIDR block: %s', 422);

/** Each entry an address or a network; PostgreSQL's cidr then refuses host bits, which the insert maps to this error too. */
function checkAllowlist(entries: readonly string[]): void {
  for (const entry of entries) {
    const [address = '', prefixText] = entry.split('/');
    const bits = isIPv4(address) ? 32 : isIPv6(address) ? 128 : 0;
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
    if (!bits || prefix < 0 || prefix > bits) throw new InvalidIpAllowlistError(entry);
  }
}

export interface ApiClient {
  id: string;
  clientId: string;
  name: string;
  roles: Role[];
  ipAllowlist: string[];
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

export interface NewApiClient {
  name: string;
  roles: Role[];
  ipAllowlist?: string[];
  expiresAt?: string | null;
}

interface ApiClientRow {
  id: string;
  client_id: string;
  name: string;
  roles: Role[];
  ip_allowlist: string[];
  expires_at: string | null;
  revoked_at: string | null;
  created_at: string;
}

const COLUMNS = 'id, client_id, name, roles, ip_allowlist::text[] as ip_allowlist, expires_at, revoked_at, created_at';

function toApiClient(row: ApiClientRow): ApiClient {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    roles: row.roles,
    ipAllowlist: row.ip_allowlist,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    createdAt: row.created_at,
  };
}

/** Creates a machine client; the secret is returned here once and stored only as a scrypt hash. */
export async function createApiClient(
  tx: TenantTx,
  input: NewApiClient,
  context: AuditContext,
): Promise<{ client: ApiClient; clientSecret: string }> {
  checkAllowlist(input.ipAllowlist ?? []);
  const clientSecret = newClientSecret();
  const clientId = `atr-${randomBytes(10).toString('hex')}`;
  const [row] = await tx<ApiClientRow[]>`
    insert into api_clients (tenant_id, id, client_id, name, secret_hash, roles, ip_allowlist, expires_at)
    values (${tx.tenantId}, ${newId()}, ${clientId}, ${input.name}, ${await hashClientSecret(clientSecret)},
            ${input.roles}::text[], ${input.ipAllowlist ?? []}::cidr[], ${input.expiresAt ?? null})
    returning ${tx.unsafe(COLUMNS)}`.catch((error) => {
    // 22P02: a network with host bits set, e.g. 10.0.0.1/8.
    throw (error as { code?: string }).code === '22P02' ? new InvalidIpAllowlistError((input.ipAllowlist ?? []).join(', ')) : error;
  });
  const client = toApiClient(row as ApiClientRow);
  await appendAuditEvent(tx, { ...context, action: 'api_client.created', objectType: 'api_client', objectId: client.id, after: client });
  return { client, clientSecret };
}

export async function listApiClients(tx: TenantTx, options: { limit: number; cursor?: string | null }): Promise<Page<ApiClient>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const rows = await tx<ApiClientRow[]>`
    select ${tx.unsafe(COLUMNS)} from api_clients
     where tenant_id = ${tx.tenantId} ${after ? tx`and id > ${after}` : tx``}
     order by id limit ${options.limit + 1}`;
  return toPage(rows.map(toApiClient), options.limit);
}

export async function revokeApiClient(tx: TenantTx, id: string, context: AuditContext): Promise<ApiClient> {
  const [current] = await tx<
    ApiClientRow[]
  >`select ${tx.unsafe(COLUMNS)} from api_clients where tenant_id = ${tx.tenantId} and id = ${id} for update`;
  if (!current) throw new ApiClientNotFoundError();
  if (current.revoked_at) throw new ApiClientRevokedError(current.client_id);
  const [row] = await tx<ApiClientRow[]>`
    update api_clients set revoked_at = clock_timestamp() where tenant_id = ${tx.tenantId} and id = ${id} returning ${tx.unsafe(COLUMNS)}`;
  const after = toApiClient(row as ApiClientRow);
  await appendAuditEvent(tx, {
    ...context,
    action: 'api_client.revoked',
    objectType: 'api_client',
    objectId: id,
    before: toApiClient(current),
    after,
  });
  return after;
}

/** What authentication needs to know about a client id, from any tenant (platform scope). */
export interface ApiClientCredentials {
  tenantId: string;
  clientId: string;
  secretHash: string;
  roles: Role[];
  ipAllowlist: string[];
  expiresAt: string | null;
  revokedAt: string | null;
}

export async function findApiClientCredentials(db: Database, clientId: string): Promise<ApiClientCredentials | null> {
  const [row] = await db.withPlatform(
    (tx) => tx<(ApiClientRow & { tenant_id: string; secret_hash: string })[]>`
      select tenant_id, client_id, secret_hash, roles, ip_allowlist::text[] as ip_allowlist, expires_at, revoked_at
        from api_clients where client_id = ${clientId}`,
  );
  if (!row) return null;
  return {
    tenantId: row.tenant_id,
    clientId: row.client_id,
    secretHash: row.secret_hash,
    roles: row.roles,
    ipAllowlist: row.ip_allowlist,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

/** Usable now: not revoked, not expired. */
export function isApiClientUsable(client: Pick<ApiClientCredentials, 'expiresAt' | 'revokedAt'>, now = new Date()): boolean {
  return !client.revokedAt && (!client.expiresAt || new Date(client.expiresAt) > now);
}

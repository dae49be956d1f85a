// FIX sessions as data: create, change and remove rows of fix_sessions, each audited in the
// transaction that makes the change. Running gateways pick changes up through NOTIFY.
import { type AuditContext, appendAuditEvent } from '@atrium/compliance';
import { type Database, newId, type PlatformTx, type Tx } from '@atrium/db';
import { FixApiClientNotFoundError, FixCompIdsTakenError, FixInvalidSessionError, FixSessionNotFoundError } from './errors.ts';

export type FixAuthentication = 'api-client' | 'test-unauthenticated';

export interface FixSession {
  id: string;
  tenantId: string;
  name: string;
  beginString: 'FIX.4.4';
  /** Ours. */
  senderCompId: string;
  /** The counterparty's. */
  targetCompId: string;
  authentication: FixAuthentication;
  /** The API client whose id and secret are Logon's Username(553) and Password(554). */
  apiClientId: string | null;
  resetOnLogon: boolean;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface NewFixSession {
  name: string;
  senderCompId: string;
  targetCompId: string;
  apiClientId: string;
  resetOnLogon?: boolean;
  enabled?: boolean;
}

export type FixSessionChanges = Partial<
  Pick<FixSession, 'name' | 'senderCompId' | 'targetCompId' | 'apiClientId' | 'resetOnLogon' | 'enabled'>
>;

export interface FixSessionRow {
  tenant_id: string;
  id: string;
  name: string;
  begin_string: 'FIX.4.4';
  sender_comp_id: string;
  target_comp_id: string;
  authentication: FixAuthentication;
  api_client_id: string | null;
  reset_on_logon: boolean;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

export const FIX_SESSION_COLUMNS =
  'tenant_id, id, name, begin_string, sender_comp_id, target_comp_id, authentication, api_client_id, reset_on_logon, enabled, created_at, updated_at';

export function toFixSession(row: FixSessionRow): FixSession {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    name: row.name,
    beginString: row.begin_string,
    senderCompId: row.sender_comp_id,
    targetCompId: row.target_comp_id,
    authentication: row.authentication,
    apiClientId: row.api_client_id,
    resetOnLogon: row.reset_on_logon,
    enabled: row.enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const COMP_ID = /^[!-<>-~]{1,64}$/;

function checkCompIds(sender: string, target: string): void {
  if (!COMP_ID.test(sender)) throw new FixInvalidSessionError('senderCompId must be 1-64 printable ASCII characters without "="');
  if (!COMP_ID.test(target)) throw new FixInvalidSessionError('targetCompId must be 1-64 printable ASCII characters without "="');
}

/**
 * CompIDs route a Logon before the tenant is known, so a pair must be unique across
 * tenants. The platform scope sees every tenant's sessions; the advisory lock serialises
 * writers of the same pair, and the unique constraint covers the same tenant.
 */
async function assertCompIdsFree(tx: PlatformTx, sender: string, target: string, exceptId: string | null): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${`atrium.fix_comp_ids:${sender}\u0001${target}`}, 0))`;
  const [taken] = await tx`
    select id from fix_sessions
     where sender_comp_id = ${sender} and target_comp_id = ${target} and removed_at is null ${exceptId ? tx`and id <> ${exceptId}` : tx``}`;
  if (taken) throw new FixCompIdsTakenError(sender, target);
}

async function assertApiClientInTenant(tx: Tx, tenantId: string, apiClientId: string): Promise<void> {
  const [client] = await tx`select id from api_clients where tenant_id = ${tenantId} and id = ${apiClientId}`;
  if (!client) throw new FixApiClientNotFoundError(apiClientId);
}

/** Inserts a row the caller has checked; shared with testing.ts, the only other writer. */
export async function insertFixSession(
  tx: PlatformTx,
  tenantId: string,
  input: Omit<NewFixSession, 'apiClientId'> & { apiClientId: string | null; authentication: FixAuthentication },
  context: AuditContext,
): Promise<FixSession> {
  checkCompIds(input.senderCompId, input.targetCompId);
  await assertCompIdsFree(tx, input.senderCompId, input.targetCompId, null);
  const ttx = await tx.asTenant(tenantId);
  if (input.apiClientId !== null) await assertApiClientInTenant(ttx, tenantId, input.apiClientId);
  const [row] = await ttx<FixSessionRow[]>`
    insert into fix_sessions (tenant_id, id, name, sender_comp_id, target_comp_id, authentication, api_client_id, reset_on_logon, enabled)
    values (${tenantId}, ${newId()}, ${input.name}, ${input.senderCompId}, ${input.targetCompId}, ${input.authentication},
            ${input.apiClientId}, ${input.resetOnLogon ?? false}, ${input.enabled ?? true})
    returning ${ttx.unsafe(FIX_SESSION_COLUMNS)}`;
  const session = toFixSession(row as FixSessionRow);
  await appendAuditEvent(ttx, {
    ...context,
    action: 'fix_session.created',
    objectType: 'fix_session',
    objectId: session.id,
    after: session,
  });
  return session;
}

/** A session whose Logon is authenticated by an API client of the same tenant. */
export function createFixSession(tx: PlatformTx, tenantId: string, input: NewFixSession, context: AuditContext): Promise<FixSession> {
  if (typeof input.apiClientId !== 'string') throw new FixInvalidSessionError('apiClientId is required');
  return insertFixSession(tx, tenantId, { ...input, authentication: 'api-client' }, context);
}

export async function updateFixSession(
  tx: PlatformTx,
  tenantId: string,
  id: string,
  changes: FixSessionChanges,
  context: AuditContext,
): Promise<FixSession> {
  const ttx = await tx.asTenant(tenantId);
  const [current] = await ttx<FixSessionRow[]>`
    select ${ttx.unsafe(FIX_SESSION_COLUMNS)} from fix_sessions
     where tenant_id = ${tenantId} and id = ${id} and removed_at is null for update`;
  if (!current) throw new FixSessionNotFoundError();
  const before = toFixSession(current);
  const next = { ...before, ...changes };
  if (before.authentication !== 'api-client' && changes.apiClientId !== undefined) {
    throw new FixInvalidSessionError('a test session cannot be given an API client');
  }
  if (before.authentication === 'api-client' && typeof next.apiClientId !== 'string')
    throw new FixInvalidSessionError('apiClientId is required');
  checkCompIds(next.senderCompId, next.targetCompId);
  if (next.senderCompId !== before.senderCompId || next.targetCompId !== before.targetCompId) {
    await assertCompIdsFree(tx, next.senderCompId, next.targetCompId, id);
  }
  if (next.apiClientId !== null && next.apiClientId !== before.apiClientId) await assertApiClientInTenant(ttx, tenantId, next.apiClientId);
  const [row] = await ttx<FixSessionRow[]>`
    update fix_sessions set name = ${next.name}, sender_comp_id = ${next.senderCompId}, target_comp_id = ${next.targetCompId},
           api_client_id = ${next.apiClientId}, reset_on_logon = ${next.resetOnLogon}, enabled = ${next.enabled},
           updated_at = clock_timestamp()
     where tenant_id = ${tenantId} and id = ${id} and removed_at is null
    returning ${ttx.unsafe(FIX_SESSION_COLUMNS)}`;
  const after = toFixSession(row as FixSessionRow);
  await appendAuditEvent(ttx, { ...context, action: 'fix_session.updated', objectType: 'fix_session', objectId: id, before, after });
  return after;
}

/**
 * Removes the session: the row is marked removed (its sequence state and the messages it sent
 * stay, as the record of its order flow) and its CompIDs are free again; a gateway holding it
 * logs it out.
 */
export async function removeFixSession(tx: PlatformTx, tenantId: string, id: string, context: AuditContext): Promise<void> {
  const ttx = await tx.asTenant(tenantId);
  const [row] = await ttx<FixSessionRow[]>`
    update fix_sessions set removed_at = clock_timestamp(), updated_at = clock_timestamp()
     where tenant_id = ${tenantId} and id = ${id} and removed_at is null
    returning ${ttx.unsafe(FIX_SESSION_COLUMNS)}`;
  if (!row) throw new FixSessionNotFoundError();
  await appendAuditEvent(ttx, {
    ...context,
    action: 'fix_session.removed',
    objectType: 'fix_session',
    objectId: id,
    before: toFixSession(row),
  });
}

export async function getFixSession(db: Database, tenantId: string, id: string): Promise<FixSession> {
  const [row] = await db.withTenant(
    tenantId,
    (tx) =>
      tx<FixSessionRow[]>`
        select ${tx.unsafe(FIX_SESSION_COLUMNS)} from fix_sessions where tenant_id = ${tenantId} and id = ${id} and removed_at is null`,
  );
  if (!row) throw new FixSessionNotFoundError();
  return toFixSession(row);
}

import { type AuditContext, appendAuditEvent } from '@atrium/compliance';
import type { TenantTx } from '@atrium/db';
import createError from '@fastify/error';
import { AccountNotFoundError } from '../errors.ts';
import { openVenueCredentials, sealVenueCredentials, type VenueCredentialFields, type VenueCredentials } from './envelope.ts';

export type LiveVenue = 'binance' | 'coinbase' | 'kraken';

export const VenueKeysNotFoundError = createError('TRD_ERR_VENUE_KEYS_NOT_FOUND', 'No %s keys are stored for this account', 404);

/** What may be shown about stored keys: never the keys. */
export interface VenueKeysSummary {
  accountId: string;
  venue: LiveVenue;
  apiKeyHint: string;
  createdAt: string;
  updatedAt: string;
}

const SUMMARY = `account_id as "accountId", venue, api_key_hint as "apiKeyHint", created_at as "createdAt", updated_at as "updatedAt"`;

/** Seals and stores (or replaces) an account's keys for a venue; the audit trail records that, not the keys. */
export async function storeVenueKeys(
  tx: TenantTx,
  masterKey: Buffer,
  accountId: string,
  venue: LiveVenue,
  keys: VenueCredentialFields,
  context: AuditContext,
): Promise<VenueKeysSummary> {
  const [account] = await tx`select 1 from accounts where tenant_id = ${tx.tenantId} and id = ${accountId}`;
  if (!account) throw new AccountNotFoundError();
  const sealed = sealVenueCredentials(masterKey, { tenantId: tx.tenantId, accountId }, keys);
  const hint = `…${keys.apiKey.slice(-4)}`;
  const [summary] = await tx<VenueKeysSummary[]>`
    insert into venue_credentials (tenant_id, account_id, venue, sealed, api_key_hint)
    values (${tx.tenantId}, ${accountId}, ${venue}, ${sealed}, ${hint})
    on conflict (tenant_id, account_id, venue) do update set sealed = excluded.sealed, api_key_hint = excluded.api_key_hint, updated_at = clock_timestamp()
    returning ${tx.unsafe(SUMMARY)}`;
  await appendAuditEvent(tx, { ...context, action: 'venue_keys.stored', objectType: 'account', objectId: accountId, after: summary });
  return summary as VenueKeysSummary;
}

export async function listVenueKeys(tx: TenantTx, accountId: string): Promise<VenueKeysSummary[]> {
  const [account] = await tx`select 1 from accounts where tenant_id = ${tx.tenantId} and id = ${accountId}`;
  if (!account) throw new AccountNotFoundError();
  return tx<
    VenueKeysSummary[]
  >`select ${tx.unsafe(SUMMARY)} from venue_credentials where tenant_id = ${tx.tenantId} and account_id = ${accountId} order by venue`;
}

export async function deleteVenueKeys(tx: TenantTx, accountId: string, venue: LiveVenue, context: AuditContext): Promise<void> {
  const [gone] = await tx<VenueKeysSummary[]>`
    delete from venue_credentials where tenant_id = ${tx.tenantId} and account_id = ${accountId} and venue = ${venue} returning ${tx.unsafe(SUMMARY)}`;
  if (!gone) throw new VenueKeysNotFoundError(venue);
  await appendAuditEvent(tx, { ...context, action: 'venue_keys.deleted', objectType: 'account', objectId: accountId, before: gone });
}

/** Opens the stored keys for an order: only inside the tenant's transaction, only into memory. */
export async function loadVenueKeys(tx: TenantTx, masterKey: Buffer, accountId: string, venue: LiveVenue): Promise<VenueCredentials> {
  const [row] = await tx<{ sealed: string }[]>`
    select sealed from venue_credentials where tenant_id = ${tx.tenantId} and account_id = ${accountId} and venue = ${venue}`;
  if (!row) throw new VenueKeysNotFoundError(venue);
  return openVenueCredentials(masterKey, { tenantId: tx.tenantId, accountId }, row.sealed);
}

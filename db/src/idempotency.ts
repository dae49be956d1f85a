import type { TenantTx } from './client.ts';

export type IdempotencyClaim =
  | { outcome: 'claimed' }
  | { outcome: 'in-flight' }
  | { outcome: 'mismatch' }
  | { outcome: 'replay'; status: number; body: string };

/**
 * Claims a tenant's idempotency key for one request fingerprint. The claim
 * commits on its own, before the work, so a concurrent duplicate sees it:
 * exactly one request does the work, the rest replay or wait.
 */
export async function claimIdempotencyKey(tx: TenantTx, key: string, requestHash: string): Promise<IdempotencyClaim> {
  // An expired key is free again, and so is a claim whose request died (no request outlives the 30 s request timeout).
  await tx`
    delete from idempotency_keys
     where tenant_id = ${tx.tenantId} and key = ${key}
       and (expires_at < clock_timestamp() or (state = 'in-flight' and created_at < clock_timestamp() - interval '60 seconds'))`;
  const [inserted] = await tx`
    insert into idempotency_keys (tenant_id, key, request_hash, state)
    values (${tx.tenantId}, ${key}, ${requestHash}, 'in-flight')
    on conflict (tenant_id, key) do nothing
    returning key`;
  if (inserted) return { outcome: 'claimed' };
  const [existing] = await tx<{ request_hash: string; state: string; response_status: number | null; response_body: string | null }[]>`
    select request_hash, state, response_status, response_body from idempotency_keys where tenant_id = ${tx.tenantId} and key = ${key}`;
  if (!existing) return { outcome: 'in-flight' }; // deleted between the two statements: treat as busy, the client retries
  if (existing.request_hash !== requestHash) return { outcome: 'mismatch' };
  if (existing.state === 'in-flight' || existing.response_status === null || existing.response_body === null)
    return { outcome: 'in-flight' };
  return { outcome: 'replay', status: existing.response_status, body: existing.response_body };
}

/** Stores the response to replay, byte for byte. */
export async function completeIdempotencyKey(tx: TenantTx, key: string, status: number, body: string): Promise<void> {
  await tx`
    update idempotency_keys set state = 'done', response_status = ${status}, response_body = ${body}
     where tenant_id = ${tx.tenantId} and key = ${key}`;
}

/** Frees a key whose request failed for a reason a retry may not meet (a 5xx). */
export async function releaseIdempotencyKey(tx: TenantTx, key: string): Promise<void> {
  await tx`delete from idempotency_keys where tenant_id = ${tx.tenantId} and key = ${key} and state = 'in-flight'`;
}

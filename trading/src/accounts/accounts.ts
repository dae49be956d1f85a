import { type AuditContext, appendAuditEvent } from '@atrium/compliance';
import { type Database, decodeCursor, newId, type Page, type TenantTx, toPage } from '@atrium/db';
import { AccountClosedError, AccountCodeTakenError, AccountNotFoundError } from '../errors.ts';

export type AccountStatus = 'active' | 'closed';

export interface Account {
  id: string;
  code: string;
  name: string;
  baseCurrency: string;
  status: AccountStatus;
  createdAt: string;
  updatedAt: string;
}

export interface NewAccount {
  code: string;
  name: string;
  baseCurrency?: string;
}

export interface AccountChanges {
  name?: string;
}

interface AccountRow {
  id: string;
  code: string;
  name: string;
  base_currency: string;
  status: AccountStatus;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, code, name, base_currency, status, created_at, updated_at';

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    baseCurrency: row.base_currency,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function createAccount(tx: TenantTx, input: NewAccount, context: AuditContext): Promise<Account> {
  let rows: AccountRow[];
  try {
    rows = await tx<AccountRow[]>`
      insert into accounts (tenant_id, id, code, name, base_currency)
      values (${tx.tenantId}, ${newId()}, ${input.code}, ${input.name}, ${input.baseCurrency ?? 'USD'})
      returning ${tx.unsafe(COLUMNS)}`;
  } catch (error) {
    if ((error as { constraint_name?: string }).constraint_name === 'accounts_tenant_id_code_key') {
      throw new AccountCodeTakenError(input.code);
    }
    throw error;
  }
  const account = toAccount(rows[0] as AccountRow);
  await appendAuditEvent(tx, { ...context, action: 'account.created', objectType: 'account', objectId: account.id, after: account });
  return account;
}

/**
 * The hot read: one statement through a tenant-scoped SQL function rather
 * than a BEGIN/set_config/COMMIT round trip; RLS still applies (bench/RESULTS.md).
 */
export async function getAccount(db: Database, tenantId: string, id: string): Promise<Account> {
  const [row] = await db.readAsTenant<AccountRow>(tenantId, 'account_by_id', [id]);
  if (!row) throw new AccountNotFoundError();
  return toAccount(row);
}

export async function listAccounts(
  tx: TenantTx,
  options: { limit: number; cursor?: string | null; status?: AccountStatus },
): Promise<Page<Account>> {
  const after = options.cursor ? decodeCursor(options.cursor) : null;
  const rows = await tx<AccountRow[]>`
    select ${tx.unsafe(COLUMNS)} from accounts
     where tenant_id = ${tx.tenantId}
       ${after ? tx`and id > ${after}` : tx``}
       ${options.status ? tx`and status = ${options.status}` : tx``}
     order by id
     limit ${options.limit + 1}`;
  return toPage(rows.map(toAccount), options.limit);
}

async function lockAccount(tx: TenantTx, id: string): Promise<Account> {
  const [row] = await tx<
    AccountRow[]
  >`select ${tx.unsafe(COLUMNS)} from accounts where tenant_id = ${tx.tenantId} and id = ${id} for update`;
  if (!row) throw new AccountNotFoundError();
  return toAccount(row);
}

export async function updateAccount(tx: TenantTx, id: string, changes: AccountChanges, context: AuditContext): Promise<Account> {
  const before = await lockAccount(tx, id);
  if (before.status === 'closed') throw new AccountClosedError(id);
  const [row] = await tx<AccountRow[]>`
    update accounts set name = ${changes.name ?? before.name}, updated_at = clock_timestamp()
     where tenant_id = ${tx.tenantId} and id = ${id}
     returning ${tx.unsafe(COLUMNS)}`;
  const after = toAccount(row as AccountRow);
  await appendAuditEvent(tx, { ...context, action: 'account.updated', objectType: 'account', objectId: id, before, after });
  return after;
}

/** Accounts are closed, never deleted: their history stays reportable. */
export async function closeAccount(tx: TenantTx, id: string, context: AuditContext): Promise<Account> {
  const before = await lockAccount(tx, id);
  if (before.status === 'closed') throw new AccountClosedError(id);
  const [row] = await tx<AccountRow[]>`
    update accounts set status = 'closed', updated_at = clock_timestamp()
     where tenant_id = ${tx.tenantId} and id = ${id}
     returning ${tx.unsafe(COLUMNS)}`;
  const after = toAccount(row as AccountRow);
  await appendAuditEvent(tx, { ...context, action: 'account.closed', objectType: 'account', objectId: id, before, after });
  return after;
}

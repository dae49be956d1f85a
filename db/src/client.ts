import postgres from 'postgres';
import { APP_SCHEMA } from './migrate.ts';
import { pgTimestamptzToRfc3339 } from './time.ts';

export type Sql = postgres.Sql;
export type Row = postgres.Row;
export type Tx = postgres.TransactionSql;
/** A statement built and not yet sent; it may also be composed into another as a fragment. */
export type PendingQuery<T extends readonly Row[] = Row[]> = postgres.PendingQuery<T>;

/** A transaction whose RLS scope is one tenant. Repositories take nothing else. */
export type TenantTx = postgres.TransactionSql & {
  readonly tenantId: string;
  /** Runs after the transaction commits; never if it rolls back. */
  afterCommit(callback: () => void): void;
  /**
   * Commits behind statements already sent, without waiting for their answers first: a round trip
   * less. Resolves once all of them and the commit succeeded;
   * if any failed, PostgreSQL turns the COMMIT into a rollback and this rejects with that failure.
   * The callback sends nothing after it.
   */
  commitWith(sent: readonly Promise<unknown>[]): Promise<void>;
};

/**
 * Adds one tenant's scope to a reseller or platform transaction, so that a
 * change to the tenant directory is audited in that tenant's chain atomically.
 * It fails unless the tenant is visible in the current scope.
 */
interface CanEnterTenant {
  asTenant(tenantId: string): Promise<TenantTx>;
}

/** A transaction scoped to one reseller's tenants. */
export type ResellerTx = postgres.TransactionSql & CanEnterTenant & { readonly resellerId: string };

/** A transaction with platform scope: the tenant directory, sealing sweeps. */
export type PlatformTx = postgres.TransactionSql & CanEnterTenant & { readonly scope: 'platform' };

export interface Database {
  withTenant<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T>;
  withReseller<T>(resellerId: string, fn: (tx: ResellerTx) => Promise<T>): Promise<T>;
  withPlatform<T>(fn: (tx: PlatformTx) => Promise<T>): Promise<T>;
  /**
   * One statement in its own implicit transaction, for hot reads through a
   * tenant-scoped SQL function that sets app.tenant_id itself (see
   * migrations). Only the function's name is ours to choose; its first
   * argument is always the tenant.
   */
  readAsTenant<T extends Row>(tenantId: string, fn: TenantReadFunction, args: readonly string[]): Promise<T[]>;
  /**
   * LISTEN on a channel on a connection of its own (reconnected by postgres.js).
   * Payloads are whatever a transaction sent with pg_notify, delivered on its commit.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<{ unlisten(): Promise<void> }>;
  /** Liveness of the pool, for /health/ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The SQL functions that may serve readAsTenant; each begins by scoping itself to its first argument. */
export type TenantReadFunction = 'account_by_id';
const TENANT_READ_FUNCTIONS: ReadonlySet<string> = new Set<TenantReadFunction>(['account_by_id']);

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  idleInTransactionTimeoutMs?: number;
  applicationName?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMPTZ_OID = 1184;

export class InvalidScopeError extends Error {
  constructor(what: string, value: unknown) {
    super(`${what} must be a UUID, got ${JSON.stringify(value)}`);
    this.name = 'InvalidScopeError';
  }
}

/**
 * A postgres.js client for a URL, which may name a Unix socket in libpq's form,
 * `postgres://user:pass@/db?host=/socket/dir`: postgres.js would read `host` there as a
 * server setting, so the directory becomes its socket path instead.
 */
export function connectPostgres(url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): postgres.Sql {
  const parsed = new URL(url);
  const host = parsed.searchParams.get('host');
  if (!host?.startsWith('/')) return postgres(url, options);
  parsed.searchParams.delete('host');
  return postgres(parsed.toString(), { ...options, path: `${host}/.s.PGSQL.${parsed.port || 5432}` });
}

/** A scoped transaction's connection, and its COMMIT once sent. */
interface EndingState {
  conn: postgres.ReservedSql;
  commit?: Promise<void>;
}

/** Sends COMMIT once; a COMMIT that PostgreSQL answers with ROLLBACK (a statement before it failed) rejects. */
function commitOf(ending: EndingState): Promise<void> {
  ending.commit ??= ending.conn
    .unsafe('commit')
    .execute()
    .then((result) => {
      if (result.command !== 'COMMIT') throw new Error(`the transaction ended in ${result.command}, not COMMIT`);
    });
  return ending.commit;
}

/** The URL that reaches the same server through its Unix socket (libpq's form), or the URL itself when it has none. */
export function withSocket(url: string, socketDir: string | null): string {
  if (!socketDir) return url;
  const parsed = new URL(url);
  parsed.searchParams.set('host', socketDir);
  return parsed.toString();
}

export function createDatabase(options: DatabaseOptions): Database {
  const sql = connectPostgres(options.url, {
    max: options.poolSize ?? 10,
    prepare: true,
    idle_timeout: 60,
    connect_timeout: 10,
    onnotice: () => {},
    connection: {
      application_name: options.applicationName ?? 'atrium',
      search_path: APP_SCHEMA,
      TimeZone: 'UTC',
      DateStyle: 'ISO',
      statement_timeout: options.statementTimeoutMs ?? 5000,
      idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 10000,
    },
    types: {
      // Keep microseconds: timestamps travel as RFC 3339 strings, never as Date.
      timestamptz: {
        to: TIMESTAMPTZ_OID,
        from: [TIMESTAMPTZ_OID],
        serialize: (value: string) => value,
        parse: pgTimestamptzToRfc3339,
      },
    },
  });

  async function scoped<T, X>(
    settings: Record<string, string>,
    decorate: (tx: postgres.TransactionSql, ending: EndingState) => X,
    fn: (tx: X) => Promise<T>,
    afterCommit?: (() => void)[],
  ): Promise<T> {
    // A reserved connection instead of sql.begin(): BEGIN, the scope and the caller's first statements go
    // out in one pipelined write. sql.begin() waits for BEGIN's reply first, a round trip per transaction
    // that order entry measured (each loopback write wakes the other side).
    const conn = await sql.reserve();
    const ending: EndingState = { conn };
    let result: T;
    try {
      const names = Object.keys(settings);
      const values = Object.values(settings);
      const begin = conn.unsafe('begin').execute();
      const scope = conn`select set_config(name, value, true) from unnest(${names}::text[], ${values}::text[]) as s(name, value)`.execute();
      const [, , out] = await Promise.all([begin, scope, fn(decorate(conn as unknown as postgres.TransactionSql, ending))]);
      await (ending.commit ?? commitOf(ending));
      result = out;
    } catch (error) {
      // A failed statement left the transaction aborted; a broken connection is gone anyway.
      await conn.unsafe('rollback').catch(() => {});
      throw error;
    } finally {
      conn.release();
    }
    if (afterCommit) for (const callback of afterCommit) callback();
    return result;
  }

  function asTenantTx(tx: postgres.TransactionSql, tenantId: string, callbacks: (() => void)[], ending: EndingState): TenantTx {
    return Object.assign(tx, {
      tenantId,
      afterCommit: (callback: () => void) => void callbacks.push(callback),
      async commitWith(sent: readonly Promise<unknown>[]) {
        // postgres.js sends a query a microtask after it is made: whatever the caller set off in this
        // turn of the event loop goes out before the COMMIT, which still waits for no answer.
        await new Promise((resolve) => setImmediate(resolve));
        if (ending.commit) throw new Error('the transaction is already committing');
        const commit = commitOf(ending);
        commit.catch(() => {});
        await Promise.all(sent);
        await commit;
      },
    }) as TenantTx;
  }

  function tenantEntry(tx: postgres.TransactionSql, callbacks: (() => void)[], ending: EndingState): CanEnterTenant {
    let entered: string | undefined;
    return {
      async asTenant(tenantId: string) {
        assertUuid('tenantId', tenantId);
        if (entered !== undefined && entered !== tenantId) throw new Error('a transaction enters at most one tenant');
        const [visible] = await tx`select id from tenants where id = ${tenantId}`;
        if (!visible) throw new InvalidScopeError('tenantId (visible in this scope)', tenantId);
        await tx`select set_config('app.tenant_id', ${tenantId}, true)`;
        entered = tenantId;
        return asTenantTx(tx, tenantId, callbacks, ending);
      },
    };
  }

  return {
    withTenant(tenantId, fn) {
      assertUuid('tenantId', tenantId);
      const callbacks: (() => void)[] = [];
      return scoped({ 'app.tenant_id': tenantId }, (tx, ending) => asTenantTx(tx, tenantId, callbacks, ending), fn, callbacks);
    },
    withReseller(resellerId, fn) {
      assertUuid('resellerId', resellerId);
      const callbacks: (() => void)[] = [];
      return scoped(
        { 'app.reseller_id': resellerId },
        (tx, ending) => Object.assign(tx, { resellerId }, tenantEntry(tx, callbacks, ending)) as ResellerTx,
        fn,
        callbacks,
      );
    },
    withPlatform(fn) {
      const callbacks: (() => void)[] = [];
      return scoped(
        { 'app.scope': 'platform' },
        (tx, ending) => Object.assign(tx, { scope: 'platform' as const }, tenantEntry(tx, callbacks, ending)) as PlatformTx,
        fn,
        callbacks,
      );
    },
    async readAsTenant<T extends Row>(tenantId: string, fn: TenantReadFunction, args: readonly string[]) {
      assertUuid('tenantId', tenantId);
      if (!TENANT_READ_FUNCTIONS.has(fn)) throw new Error(`${fn} is not a tenant read function`);
      return (await sql.unsafe(
        `select * from ${APP_SCHEMA}.${fn}($1, ${args.map((_, i) => `$${i + 2}`).join(', ')})`,
        [tenantId, ...args],
        { prepare: true },
      )) as unknown as T[];
    },
    async listen(channel, onMessage) {
      const { unlisten } = await sql.listen(channel, onMessage);
      return { unlisten };
    },
    async ping() {
      await sql`select 1`;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

function assertUuid(what: string, value: unknown): asserts value is string {
  if (!isUuid(value)) throw new InvalidScopeError(what, value);
}

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';

export const APP_ROLE = 'atrium_app';
export const OWNER_ROLE = 'atrium_owner';
export const APP_SCHEMA = 'atrium';
const MIGRATIONS_SCHEMA = 'atrium_migrations';
const MIGRATIONS_DIR = path.join(import.meta.dirname, '..', 'migrations');
// Arbitrary but fixed: every migrator of every replica contends for this one lock.
const MIGRATION_LOCK_KEY = 0x41545249554d; // "ATRIUM"

export interface MigrateOptions {
  /** A role that may create roles and schemas (a superuser, or the cloud's admin role). */
  adminUrl: string;
  /** The runtime role's password; set on every run so rotating it is one redeploy. */
  appPassword: string;
  log?: (line: string) => void;
}

export interface AppliedMigration {
  version: string;
  name: string;
}

/**
 * Creates the roles and schemas, then applies every pending SQL migration in
 * order as the owner role, under an advisory lock so concurrent replicas wait.
 */
export async function migrate(options: MigrateOptions): Promise<AppliedMigration[]> {
  const log = options.log ?? (() => {});
  const sql = postgres(options.adminUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await bootstrapRoles(sql, options.appPassword);
      return await applyPending(sql, log);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function bootstrapRoles(sql: postgres.Sql, appPassword: string): Promise<void> {
  // Roles are cluster-wide while the advisory lock is per database, so tolerate
  // another database's migrator creating them at the same moment.
  await retryOnConcurrentDdl(async () => {
    const [{ exists: ownerExists }] = await sql`select exists (select from pg_roles where rolname = ${OWNER_ROLE}) as exists`;
    if (!ownerExists) await sql.unsafe(`create role ${OWNER_ROLE} nologin`);
    const [{ exists: appExists }] = await sql`select exists (select from pg_roles where rolname = ${APP_ROLE}) as exists`;
    if (!appExists) await sql.unsafe(`create role ${APP_ROLE} login`);
  });
  const [{ statement }] = await sql`
    select format('alter role %I with login nosuperuser nocreatedb nocreaterole noinherit nobypassrls noreplication password %L',
                  ${APP_ROLE}::text, ${appPassword}::text) as statement`;
  await retryOnConcurrentDdl(() => sql.unsafe(statement));
  const [{ superuser }] = await sql`select rolsuper as superuser from pg_roles where rolname = current_user`;
  if (!superuser) await sql.unsafe(`grant ${OWNER_ROLE} to current_user`);
  await sql.unsafe(`create schema if not exists ${APP_SCHEMA} authorization ${OWNER_ROLE}`);
  await sql.unsafe(`create schema if not exists ${MIGRATIONS_SCHEMA}`);
  await sql.unsafe(`revoke all on schema ${MIGRATIONS_SCHEMA} from public`);
  await sql.unsafe(`revoke create on schema public from public`);
  const [{ database }] = await sql`select current_database() as database`;
  await sql.unsafe(`grant connect on database "${database.replaceAll('"', '""')}" to ${APP_ROLE}`);
  await sql.unsafe(`
    create table if not exists ${MIGRATIONS_SCHEMA}.schema_migrations (
      version text primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default clock_timestamp()
    )`);
}

async function applyPending(sql: postgres.Sql, log: (line: string) => void): Promise<AppliedMigration[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort();
  const applied = new Map(
    (await sql<{ version: string; checksum: string }[]>`select version, checksum from ${sql(MIGRATIONS_SCHEMA)}.schema_migrations`).map(
      (row) => [row.version, row.checksum],
    ),
  );
  const done: AppliedMigration[] = [];
  for (const file of files) {
    const version = file.slice(0, 4);
    const name = file.slice(5, -4);
    const text = await readFile(path.join(MIGRATIONS_DIR, file), 'utf8');
    const checksum = createHash('sha256').update(text).digest('hex');
    const previous = applied.get(version);
    if (previous !== undefined) {
      if (previous !== checksum) {
        throw new Error(`migration ${file} was changed after it was applied (checksum ${previous} != ${checksum})`);
      }
      continue;
    }
    await sql.begin(async (tx) => {
      await tx.unsafe(`set local role ${OWNER_ROLE}`);
      await tx.unsafe(`set local search_path = ${APP_SCHEMA}`);
      await tx.unsafe(text).simple();
      await tx.unsafe('reset role');
      await tx`insert into ${tx(MIGRATIONS_SCHEMA)}.schema_migrations (version, name, checksum) values (${version}, ${name}, ${checksum})`;
    });
    log(`applied migration ${file}`);
    done.push({ version, name });
  }
  return done;
}

async function retryOnConcurrentDdl<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: string }).code;
      // 23505: pg_authid unique index; XX000: "tuple concurrently updated".
      if (attempt < 5 && (code === '23505' || code === 'XX000' || code === '42710')) {
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
        continue;
      }
      throw error;
    }
  }
}

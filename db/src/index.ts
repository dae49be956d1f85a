export {
  connectPostgres,
  createDatabase,
  type Database,
  type DatabaseOptions,
  InvalidScopeError,
  isUuid,
  type PendingQuery,
  type PlatformTx,
  type ResellerTx,
  type Row,
  type Sql,
  type TenantReadFunction,
  type TenantTx,
  type Tx,
  withSocket,
} from './client.ts';
export { type DatabaseConfig, readPoolSettings } from './config.ts';
export { decodeCursor, encodeCursor, InvalidCursorError, type Page, toPage } from './cursor.ts';
export { type EmbeddedPostgresOptions, type RunningPostgres, socketDirFor, startEmbeddedPostgres } from './embedded.ts';
export { claimIdempotencyKey, completeIdempotencyKey, type IdempotencyClaim, releaseIdempotencyKey } from './idempotency.ts';
export { newId } from './ids.ts';
export { APP_ROLE, APP_SCHEMA, type AppliedMigration, type MigrateOptions, migrate, OWNER_ROLE } from './migrate.ts';
export { oncePerTransaction } from './per-transaction.ts';
export { pgTimestamptzToRfc3339, toRfc3339Micros, utcNowMicros } from './time.ts';

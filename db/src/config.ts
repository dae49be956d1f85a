export interface DatabaseConfig {
  /** Runtime URL: the `atrium_app` role, subject to row-level security. */
  url: string;
  poolSize: number;
  /** Milliseconds; every statement of the app role is bounded. */
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

export function readPoolSettings(env: NodeJS.ProcessEnv = process.env): Omit<DatabaseConfig, 'url'> {
  return {
    poolSize: positiveInt(env.DB_POOL_SIZE, 10, 'DB_POOL_SIZE'),
    statementTimeoutMs: positiveInt(env.DB_STATEMENT_TIMEOUT_MS, 5000, 'DB_STATEMENT_TIMEOUT_MS'),
    idleInTransactionTimeoutMs: positiveInt(env.DB_IDLE_TX_TIMEOUT_MS, 10000, 'DB_IDLE_TX_TIMEOUT_MS'),
  };
}

function positiveInt(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number.parseInt(raw, 10);
  if (!Number.isSafeInteger(value) || value <= 0 || String(value) !== raw.trim()) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

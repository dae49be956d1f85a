import path from 'node:path';
import { readPoolSettings } from '@atrium/db';

export interface ApiConfig {
  port: number;
  host: string;
  nodeEnv: string;
  /** Unset: start the embedded PostgreSQL under dataDir. */
  databaseUrl: string | null;
  databaseAdminUrl: string | null;
  appPassword: string;
  dataDir: string;
  embeddedPort: number;
  pool: ReturnType<typeof readPoolSettings>;
  logLevel: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const databaseUrl = env.DATABASE_URL || null;
  if (nodeEnv === 'production' && !databaseUrl) throw new Error('DATABASE_URL is required in production');
  const appPassword = env.ATRIUM_APP_PASSWORD || (databaseUrl ? passwordOf(databaseUrl) : 'atrium-app-dev');
  return {
    port: port(env.PORT, 3000, 'PORT'),
    host: env.HOST ?? '127.0.0.1',
    nodeEnv,
    databaseUrl,
    databaseAdminUrl: env.DATABASE_ADMIN_URL || null,
    appPassword,
    dataDir: path.resolve(env.ATRIUM_DATA_DIR ?? '.data'),
    embeddedPort: port(env.ATRIUM_EMBEDDED_PG_PORT, 54329, 'ATRIUM_EMBEDDED_PG_PORT'),
    pool: readPoolSettings(env),
    logLevel: env.LOG_LEVEL ?? (nodeEnv === 'production' ? 'info' : 'info'),
  };
}

function passwordOf(url: string): string {
  return decodeURIComponent(new URL(url).password);
}

function port(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a TCP port, got ${JSON.stringify(raw)}`);
  return value;
}

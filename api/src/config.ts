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
  /** Unset outside production: the development issuer runs in this server. */
  oidcIssuer: string | null;
  oidcAudience: string;
  /** The API's client in the Keycloak realm, whose client roles count too. */
  oidcApiClientId: string;
  oidcAllowedClients: string[] | null;
  /** How clients reach this server; the development issuer's URLs derive from it. */
  publicUrl: string;
  /** Seals tenants' venue keys; a fixed development key when unset outside production. */
  vaultMasterKey: Buffer | null;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const nodeEnv = env.NODE_ENV ?? 'development';
  const databaseUrl = env.DATABASE_URL || null;
  if (nodeEnv === 'production' && !databaseUrl) throw new Error('DATABASE_URL is required in production');
  const oidcIssuer = env.OIDC_ISSUER || null;
  const vaultMasterKey = env.ATRIUM_VAULT_MASTER_KEY ? Buffer.from(env.ATRIUM_VAULT_MASTER_KEY, 'base64') : null;
  if (vaultMasterKey && vaultMasterKey.length !== 32) throw new Error('ATRIUM_VAULT_MASTER_KEY must be 32 bytes, base64');
  if (nodeEnv === 'production' && !vaultMasterKey) throw new Error('ATRIUM_VAULT_MASTER_KEY is required in production');
  if (nodeEnv === 'production' && !oidcIssuer) throw new Error('OIDC_ISSUER is required in production');
  const host = env.HOST ?? '127.0.0.1';
  const listenPort = port(env.PORT, 3000, 'PORT');
  const appPassword = env.ATRIUM_APP_PASSWORD || (databaseUrl ? passwordOf(databaseUrl) : 'atrium-app-dev');
  return {
    port: listenPort,
    host,
    nodeEnv,
    databaseUrl,
    databaseAdminUrl: env.DATABASE_ADMIN_URL || null,
    appPassword,
    dataDir: path.resolve(env.ATRIUM_DATA_DIR ?? '.data'),
    embeddedPort: port(env.ATRIUM_EMBEDDED_PG_PORT, 54329, 'ATRIUM_EMBEDDED_PG_PORT'),
    pool: readPoolSettings(env),
    logLevel: env.LOG_LEVEL ?? 'info',
    oidcIssuer,
    oidcAudience: env.OIDC_AUDIENCE || 'atrium-api',
    oidcApiClientId: env.OIDC_API_CLIENT_ID || 'atrium-api',
    oidcAllowedClients: env.OIDC_ALLOWED_CLIENTS
      ? env.OIDC_ALLOWED_CLIENTS.split(',')
          .map((c) => c.trim())
          .filter(Boolean)
      : null,
    vaultMasterKey,
    publicUrl: (env.PUBLIC_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${listenPort}`).replace(/\/$/, ''),
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

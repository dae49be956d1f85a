import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { createDatabase, type Database } from './client.ts';
import { startEmbeddedPostgres } from './embedded.ts';
import { APP_ROLE, migrate } from './migrate.ts';

/** Exported by scripts/with-test-postgres.ts for the whole test run. */
export const TEST_ADMIN_URL_ENV = 'ATRIUM_TEST_ADMIN_URL';
export const TEST_APP_PASSWORD = 'atrium-app-test';

export interface TestDatabase {
  /** The runtime role, subject to RLS. */
  appUrl: string;
  /** The superuser, for assertions that must look past RLS. */
  adminUrl: string;
  db: Database;
  admin: postgres.Sql;
  drop(): Promise<void>;
}

let sharedCluster: Promise<string> | undefined;
let stopPrivateCluster: (() => Promise<void>) | undefined;
let openDatabases = 0;

/**
 * A fresh, migrated database on the run's PostgreSQL. When a single test file
 * is run by hand without the wrapper, it starts an embedded cluster of its own.
 */
export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  sharedCluster ??= process.env[TEST_ADMIN_URL_ENV] ? undefined : startPrivateCluster();
  const clusterUrl = process.env[TEST_ADMIN_URL_ENV] ?? (await (sharedCluster as Promise<string>));
  openDatabases++;
  const name = `atrium_t_${randomBytes(6).toString('hex')}`;
  const root = postgres(clusterUrl, { max: 1, onnotice: () => {} });
  await root.unsafe(`create database ${name}`);
  await root.end();

  const adminUrl = withDatabase(clusterUrl, name);
  await migrate({ adminUrl, appPassword: TEST_APP_PASSWORD });
  const appUrl = withCredentials(adminUrl, APP_ROLE, TEST_APP_PASSWORD);
  const db = createDatabase({ url: appUrl, poolSize: options.poolSize ?? 4 });
  const admin = postgres(adminUrl, {
    max: 2,
    onnotice: () => {},
    connection: { search_path: 'atrium', TimeZone: 'UTC' },
  });
  return {
    appUrl,
    adminUrl,
    db,
    admin,
    async drop() {
      await db.close();
      await admin.end();
      const cleanup = postgres(clusterUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      await cleanup.end();
      // A private cluster would keep the test file's process alive: stop it with the last database.
      if (--openDatabases === 0 && stopPrivateCluster) {
        const stop = stopPrivateCluster;
        stopPrivateCluster = undefined;
        sharedCluster = undefined;
        await stop();
      }
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startPrivateCluster(): Promise<string> {
  const dataDir = path.join(tmpdir(), `atrium-test-pg-${randomBytes(4).toString('hex')}`);
  const cluster = await startEmbeddedPostgres({ dataDir, port: await freePort(), ephemeral: true, unsafeFast: true });
  stopPrivateCluster = async () => {
    await cluster.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  return cluster.adminUrl;
}

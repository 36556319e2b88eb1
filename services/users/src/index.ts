import { OutboxRelay } from '@np/messaging';
import type { ReadinessCheck } from '@np/observability';
import { type Database, isDatabaseUp, openDatabase, ormScope, ormTransactions } from '@np/persistence';
import { type ServiceDeps, startBusService } from '@np/runtime';
import { type BootstrapOutcome, bootstrapAdmin } from './admin-bootstrap.js';
import { usersMigrations } from './migrations.js';
import type { UsersSettings } from './settings.js';
import { UserEntity } from './user.entity.js';
import { UsersModule } from './users.module.js';
import { UsersService } from './users.service.js';

export { usersSettingsSchema, type UsersSettings } from './settings.js';
export { usersMigrations } from './migrations.js';
export { UserEntity } from './user.entity.js';
export { UsersModule, type UsersModuleDeps } from './users.module.js';
export { UsersService } from './users.service.js';
export type { BootstrapOutcome } from './admin-bootstrap.js';

export interface StartUsersServiceOptions {
  deps: ServiceDeps;
  settings: UsersSettings;
}

export interface UsersServiceHandle {
  /** Settles when the bootstrap admin is in place, or it was not asked for (`skipped`), or it gave up. */
  bootstrap: Promise<BootstrapOutcome | 'skipped'>;
  /** Readiness of the service's own dependencies, for `/readyz`. */
  checks: ReadinessCheck[];
  close(): Promise<void>;
}

/** Opens the users schema (migrating it), starts the outbox relay and serves the `users` module on the bus. */
export async function startUsersService({ deps, settings }: StartUsersServiceOptions): Promise<UsersServiceHandle> {
  const schema = settings.NP_USERS_SCHEMA;
  const db = await openDatabase({
    url: settings.NP_DATABASE_URL,
    schema,
    entities: [UserEntity],
    migrations: usersMigrations(schema),
    poolMax: settings.NP_DATABASE_POOL_MAX,
    logger: deps.logger,
  });
  const relay = new OutboxRelay({ transport: deps.transport, withTransaction: ormTransactions(db), schema, logger: deps.logger, retentionHours: settings.NP_OUTBOX_RETENTION_HOURS });
  relay.start();
  const app = await startBusService({
    name: 'users',
    module: 'users',
    appModule: UsersModule.register({ ...deps, db, settings, outbox: relay }),
    deps,
    scope: ormScope(db),
  }).catch(async (error: unknown) => {
    await closeAll(relay, db);
    throw error;
  });
  const abort = new AbortController();
  // In the background: auth may start after us in the distributed shape.
  const bootstrap = startBootstrap(app.get(UsersService), settings, deps, abort.signal);
  return {
    bootstrap,
    checks: [{ name: 'database', check: () => isDatabaseUp(db) }],
    async close() {
      abort.abort();
      await bootstrap;
      await app.close();
      await closeAll(relay, db);
    },
  };
}

async function startBootstrap(
  service: UsersService,
  settings: UsersSettings,
  deps: ServiceDeps,
  signal: AbortSignal,
): Promise<BootstrapOutcome | 'skipped'> {
  const email = settings.NP_BOOTSTRAP_ADMIN_EMAIL;
  const password = settings.NP_BOOTSTRAP_ADMIN_PASSWORD;
  if (email === undefined || password === undefined) return 'skipped';
  return bootstrapAdmin(service, { email, password, logger: deps.logger, signal }).catch((error: unknown) => {
    deps.logger.error({ err: error }, 'bootstrap admin crashed');
    return 'failed' as const;
  });
}

async function closeAll(relay: OutboxRelay, db: Database): Promise<void> {
  await relay.stop();
  await db.close();
}

import { OutboxRelay } from '@np/messaging';
import type { ReadinessCheck } from '@np/observability';
import { ormTransactions } from '@np/persistence';
import { defineModuleService, type ServiceDeps, startModuleService } from '@np/runtime';
import type { INestMicroservice } from '@nestjs/common';
import { type BootstrapOutcome, bootstrapAdmin } from './bootstrap/admin-bootstrap.js';
import { retryWhileUnavailable } from './bootstrap/retry-while-unavailable.js';
import { RealmUsersImport } from './keycloak/realm-users-import.js';
import { usersEntities } from './entities/index.js';
import { usersMigrations } from './migrations.js';
import { UsersService } from './profiles/users.service.js';
import { usersSettingsSchema, type UsersSettings } from './settings.js';
import { UsersModule } from './users.module.js';
import { USERS_CONTRACTS } from './contracts/index.js';

export { usersSettingsSchema, type UsersSettings } from './settings.js';
export { usersMigrations } from './migrations.js';
export { UserEntity, usersEntities } from './entities/index.js';
export { UsersModule, type UsersModuleDeps } from './users.module.js';
export { UsersService } from './profiles/users.service.js';
export type { BootstrapOutcome } from './bootstrap/admin-bootstrap.js';

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
  const service = await startModuleService({
    name: 'users',
    contracts: USERS_CONTRACTS,
    deps,
    database: { url: settings.NP_DATABASE_URL, schema, entities: usersEntities, migrations: usersMigrations(schema), poolMax: settings.NP_DATABASE_POOL_MAX },
    outboxRelay: (db) => new OutboxRelay({ transport: deps.transport, withTransaction: ormTransactions(db), schema, logger: deps.logger, retentionHours: settings.NP_OUTBOX_RETENTION_HOURS }),
    appModule: ({ db, outbox }) => UsersModule.register({ ...deps, db, settings, outbox }),
  });
  const abort = new AbortController();
  // In the background: auth (and Keycloak) may start after us in the distributed shape.
  const bootstrap = startBootstrap(service.app, settings, deps, abort.signal);
  return {
    bootstrap,
    checks: service.checks,
    async close() {
      abort.abort();
      await bootstrap;
      await service.close();
    },
  };
}

/** How the launchers start users (see `defineModuleService`). */
export const moduleService = defineModuleService({ name: 'users', settingsSchema: usersSettingsSchema, start: startUsersService });

async function startBootstrap(app: INestMicroservice, settings: UsersSettings, deps: ServiceDeps, signal: AbortSignal): Promise<BootstrapOutcome | 'skipped'> {
  if (settings.NP_IDENTITY_PROVIDER === 'keycloak') {
    // First the realm's users (the operator's first admin among them), so the bootstrap admin is found if it is one.
    const log = deps.logger.child({ component: 'realm-users-import' });
    await retryWhileUnavailable(() => app.get(RealmUsersImport).run(), { log, waitingFor: 'Keycloak', signal });
  }
  const email = settings.NP_BOOTSTRAP_ADMIN_EMAIL;
  const password = settings.NP_BOOTSTRAP_ADMIN_PASSWORD;
  if (email === undefined || password === undefined) return 'skipped';
  return bootstrapAdmin(app.get(UsersService), { email, password, logger: deps.logger, signal }).catch((error: unknown) => {
    deps.logger.error({ err: error }, 'bootstrap admin crashed');
    return 'failed' as const;
  });
}

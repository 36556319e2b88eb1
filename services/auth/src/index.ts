import { AUTH_CONTRACTS } from '@np/contracts';
import { OutboxRelay } from '@np/messaging';
import { ormTransactions } from '@np/persistence';
import { defineModuleService, type RunningService, type ServiceDeps, startModuleService } from '@np/runtime';
import { AuthModule } from './auth.module.js';
import type { Clock } from './clock.js';
import { authEntities } from './entities/index.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { authMigrations } from './migrations.js';
import { authSettingsSchema, type AuthSettings } from './settings.js';

export { AuthModule, type AuthModuleDeps } from './auth.module.js';
export { authSettingsSchema, type AuthSettings, type AuthSettingsInput } from './settings.js';
export { authMigrations } from './migrations.js';
export { authEntities } from './entities/index.js';
export { discoveryDocument } from './discovery.js';
export { SigningKeysService } from './keys/signing-keys.service.js';
export type { Clock } from './clock.js';

export interface StartAuthServiceOptions {
  deps: ServiceDeps;
  settings: AuthSettings;
  clock?: Clock;
}

export interface AuthService extends RunningService {
  /** Makes a new signing key active; the previous one stays published until its tokens expire. */
  rotateSigningKey(): Promise<string>;
  close(): Promise<void>;
}

/** Opens the auth schema (migrating it) and serves the auth module on the bus. */
export async function startAuthService({ deps, settings, clock }: StartAuthServiceOptions): Promise<AuthService> {
  const schema = settings.NP_AUTH_SCHEMA;
  const service = await startModuleService({
    name: 'auth',
    contracts: AUTH_CONTRACTS,
    deps,
    database: { url: settings.NP_DATABASE_URL, schema, entities: authEntities, migrations: authMigrations(schema), poolMax: settings.NP_DATABASE_POOL_MAX },
    // Revocations leave through the outbox: a committed revocation always reaches the gateways.
    outboxRelay: (db) => new OutboxRelay({ transport: deps.transport, withTransaction: ormTransactions(db), schema, logger: deps.logger, retentionHours: settings.NP_OUTBOX_RETENTION_HOURS }),
    appModule: ({ db, outbox }) => AuthModule.register({ db, bus: deps.bus, logger: deps.logger, settings, outbox, ...(clock ? { clock } : {}) }),
  });
  return {
    checks: service.checks,
    rotateSigningKey: () => service.app.get(SigningKeysService).rotate(),
    close: () => service.close(),
  };
}

/** How the launchers start auth (see `defineModuleService`). */
export const moduleService = defineModuleService({ name: 'auth', settingsSchema: authSettingsSchema, start: startAuthService });

import type { INestMicroservice } from '@nestjs/common';
import { OutboxRelay } from '@np/messaging';
import { isDatabaseUp, openDatabase, ormScope, ormTransactions } from '@np/persistence';
import { type RunningService, type ServiceDeps, startBusService } from '@np/runtime';
import { AuthModule } from './auth.module.js';
import type { Clock } from './clock.js';
import { authEntities } from './entities/index.js';
import { SigningKeysService } from './keys/signing-keys.service.js';
import { authMigrations } from './migrations.js';
import type { AuthSettings } from './settings.js';

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
  const db = await openDatabase({
    url: settings.NP_DATABASE_URL,
    schema: settings.NP_AUTH_SCHEMA,
    entities: authEntities,
    migrations: authMigrations(settings.NP_AUTH_SCHEMA),
    poolMax: settings.NP_DATABASE_POOL_MAX,
    logger: deps.logger,
  });
  // Revocations leave through the outbox: a committed revocation always reaches the gateways.
  const relay = new OutboxRelay({ transport: deps.transport, withTransaction: ormTransactions(db), schema: settings.NP_AUTH_SCHEMA, logger: deps.logger, retentionHours: settings.NP_OUTBOX_RETENTION_HOURS });
  relay.start();
  let app: INestMicroservice;
  try {
    app = await startBusService({
      name: 'auth',
      module: 'auth',
      appModule: AuthModule.register({ db, bus: deps.bus, logger: deps.logger, settings, outbox: relay, ...(clock ? { clock } : {}) }),
      deps,
      scope: ormScope(db),
    });
  } catch (error) {
    await relay.stop();
    await db.close();
    throw error;
  }
  return {
    checks: [{ name: 'database', check: () => isDatabaseUp(db) }],
    rotateSigningKey: () => app.get(SigningKeysService).rotate(),
    close: async () => {
      await app.close();
      await relay.stop();
      await db.close();
    },
  };
}

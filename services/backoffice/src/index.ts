import { defineModuleService, type RunningService, type ServiceDeps, startModuleService } from '@np/runtime';
import { BACKOFFICE_CONTRACTS } from './contracts/index.js';
import { backofficeEntities } from './entities/index.js';
import { BackofficeModule } from './backoffice.module.js';
import { backofficeMigrations } from './migrations.js';
import { backofficeSettingsSchema, type BackofficeSettings } from './settings.js';

export { backofficeSettingsSchema, type BackofficeSettings } from './settings.js';
export { backofficeMigrations } from './migrations.js';

export interface StartBackofficeServiceOptions {
  deps: ServiceDeps;
  settings: BackofficeSettings;
}

/** Opens the backoffice schema (migrating it) and serves the module on the bus. */
export async function startBackofficeService({ deps, settings }: StartBackofficeServiceOptions): Promise<RunningService> {
  const schema = settings.NP_BACKOFFICE_SCHEMA;
  const service = await startModuleService({
    name: 'backoffice',
    contracts: BACKOFFICE_CONTRACTS,
    deps,
    database: { url: settings.NP_DATABASE_URL, schema, entities: backofficeEntities, migrations: backofficeMigrations(schema), poolMax: settings.NP_DATABASE_POOL_MAX },
    appModule: ({ db }) => BackofficeModule.register({ ...deps, db, settings }),
  });
  return { checks: service.checks, close: () => service.close() };
}

/** How the launchers start backoffice (see `defineModuleService`). */
export const moduleService = defineModuleService({ name: 'backoffice', settingsSchema: backofficeSettingsSchema, start: startBackofficeService });

import { defineModuleService, type RunningService, type ServiceDeps, startModuleService } from '@np/runtime';
import { __NAME___CONTRACTS } from './contracts/index.js';
import { __camel__Entities } from './entities/index.js';
import { __Name__Module } from './__name__.module.js';
import { __camel__Migrations } from './migrations.js';
import { __camel__SettingsSchema, type __Name__Settings } from './settings.js';

export { __camel__SettingsSchema, type __Name__Settings } from './settings.js';
export { __camel__Migrations } from './migrations.js';

export interface Start__Name__ServiceOptions {
  deps: ServiceDeps;
  settings: __Name__Settings;
}

/** Opens the __name__ schema (migrating it) and serves the module on the bus. */
export async function start__Name__Service({ deps, settings }: Start__Name__ServiceOptions): Promise<RunningService> {
  const schema = settings.NP___NAME___SCHEMA;
  const service = await startModuleService({
    name: '__name__',
    contracts: __NAME___CONTRACTS,
    deps,
    database: { url: settings.NP_DATABASE_URL, schema, entities: __camel__Entities, migrations: __camel__Migrations(schema), poolMax: settings.NP_DATABASE_POOL_MAX },
    appModule: ({ db }) => __Name__Module.register({ ...deps, db, settings }),
  });
  return { checks: service.checks, close: () => service.close() };
}

/** How the launchers start __name__ (see `defineModuleService`). */
export const moduleService = defineModuleService({ name: '__name__', settingsSchema: __camel__SettingsSchema, start: start__Name__Service });

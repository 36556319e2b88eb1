import { defineModuleService, type RunningService, type ServiceDeps, startModuleService } from '@np/runtime';
import { FILES_CONTRACTS } from './contracts/index.js';
import { filesEntities } from './entities/index.js';
import { FilesModule } from './files.module.js';
import { filesMigrations } from './migrations.js';
import { filesSettingsSchema, type FilesSettings } from './settings.js';

export { filesSettingsSchema, type FilesSettings } from './settings.js';
export { filesMigrations } from './migrations.js';

export interface StartFilesServiceOptions {
  deps: ServiceDeps;
  settings: FilesSettings;
}

/** Opens the files schema (migrating it) and serves the module on the bus. */
export async function startFilesService({ deps, settings }: StartFilesServiceOptions): Promise<RunningService> {
  const schema = settings.NP_FILES_SCHEMA;
  const service = await startModuleService({
    name: 'files',
    contracts: FILES_CONTRACTS,
    deps,
    database: { url: settings.NP_DATABASE_URL, schema, entities: filesEntities, migrations: filesMigrations(schema), poolMax: settings.NP_DATABASE_POOL_MAX },
    appModule: ({ db }) => FilesModule.register({ ...deps, db, settings }),
  });
  return { checks: service.checks, close: () => service.close() };
}

/** How the launchers start files (see `defineModuleService`). */
export const moduleService = defineModuleService({ name: 'files', settingsSchema: filesSettingsSchema, start: startFilesService });

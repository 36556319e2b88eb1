import { OutboxRelay } from '@np/messaging';
import { ormTransactions } from '@np/persistence';
import { defineModuleService, type RunningService, type ServiceDeps, startModuleService } from '@np/runtime';
import { FORM_BUILDER_CONTRACTS } from './contracts/index.js';
import { formBuilderEntities } from './entities/index.js';
import { FormBuilderModule } from './form-builder.module.js';
import { formBuilderMigrations } from './migrations.js';
import { formBuilderSettingsSchema, type FormBuilderSettings } from './settings.js';

export { formBuilderSettingsSchema, type FormBuilderSettings } from './settings.js';
export { formBuilderMigrations } from './migrations.js';

export interface StartFormBuilderServiceOptions {
  deps: ServiceDeps;
  settings: FormBuilderSettings;
}

/** Opens the form-builder schema (migrating it), starts its outbox relay and serves the module on the bus. */
export async function startFormBuilderService({ deps, settings }: StartFormBuilderServiceOptions): Promise<RunningService> {
  const schema = settings.NP_FORM_BUILDER_SCHEMA;
  const service = await startModuleService({
    name: 'form-builder',
    contracts: FORM_BUILDER_CONTRACTS,
    deps,
    database: { url: settings.NP_DATABASE_URL, schema, entities: formBuilderEntities, migrations: formBuilderMigrations(schema), poolMax: settings.NP_DATABASE_POOL_MAX },
    outboxRelay: (db) => new OutboxRelay({ transport: deps.transport, withTransaction: ormTransactions(db), schema, logger: deps.logger, retentionHours: settings.NP_OUTBOX_RETENTION_HOURS }),
    appModule: ({ db, outbox }) => FormBuilderModule.register({ ...deps, db, settings, outbox }),
  });
  return { checks: service.checks, close: () => service.close() };
}

/** How the launchers start form-builder (see `defineModuleService`). */
export const moduleService = defineModuleService({ name: 'form-builder', settingsSchema: formBuilderSettingsSchema, start: startFormBuilderService });

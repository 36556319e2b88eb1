import { OutboxRelay, batchedEventHandler } from '@np/messaging';
import { ormTransactions } from '@np/persistence';
import { defineModuleService, implementedBusModules, importModuleContracts, type RunningService, type ServiceDeps, startModuleService } from '@np/runtime';
import { AuditLog } from './audit/audit-log.js';
import { BackofficeModule } from './backoffice.module.js';
import { BACKOFFICE_CONTRACTS } from './contracts/index.js';
import { backofficeEntities } from './entities/index.js';
import { backofficeMigrations } from './migrations.js';
import { backofficeSettingsSchema, type BackofficeSettings } from './settings.js';

export { backofficeSettingsSchema, type BackofficeSettings } from './settings.js';
export { backofficeMigrations } from './migrations.js';

/** The durable subscription every replica shares: each event reaches one of them. */
export const BACKOFFICE_CONSUMER = 'backoffice';
const PRUNE_INTERVAL_MS = 3_600_000;

export interface StartBackofficeServiceOptions {
  deps: ServiceDeps;
  settings: BackofficeSettings;
}

export interface BackofficeServiceHandle extends RunningService {
  /** Deletes audit entries past the retention now (also done hourly); answers how many went. */
  pruneAudit(now?: Date): Promise<number>;
}

/** Opens the backoffice schema (migrating it), serves the module on the bus and keeps every domain event in the audit log. */
export async function startBackofficeService({ deps, settings }: StartBackofficeServiceOptions): Promise<BackofficeServiceHandle> {
  const schema = settings.NP_BACKOFFICE_SCHEMA;
  // Every module's event contracts that this process can load, so the audit checks each event
  // against its own; one it cannot (an image holding only this module) is kept on the broker's word.
  for (const name of implementedBusModules()) {
    await importModuleContracts([name]).catch(() => deps.logger.info({ module: name }, 'audit: contracts not available here; its events are checked by publisher only'));
  }
  const service = await startModuleService({
    name: 'backoffice',
    contracts: BACKOFFICE_CONTRACTS,
    deps,
    database: { url: settings.NP_DATABASE_URL, schema, entities: backofficeEntities, migrations: backofficeMigrations(schema), poolMax: settings.NP_DATABASE_POOL_MAX },
    outboxRelay: (db) => new OutboxRelay({ transport: deps.transport, withTransaction: ormTransactions(db), schema, logger: deps.logger, retentionHours: settings.NP_OUTBOX_RETENTION_HOURS }),
    appModule: ({ db, outbox }) => BackofficeModule.register({ ...deps, db, settings, outbox, transport: deps.transport }),
  });
  const audit = service.app.get(AuditLog);
  const prune = () =>
    audit.prune().catch((error: unknown) => {
      deps.logger.warn({ err: error }, 'audit retention sweep failed; retrying at the next interval');
      return 0;
    });
  const timer = setInterval(() => void prune(), PRUNE_INTERVAL_MS);
  timer.unref();
  try {
    // The events a delivery window hands over go in one insert, acknowledged after it commits.
    await deps.transport.subscribe(BACKOFFICE_CONSUMER, ['#'], batchedEventHandler((events) => audit.recordMany(events).then(() => undefined)));
  } catch (error) {
    clearInterval(timer);
    await service.close();
    throw error;
  }
  void prune();
  return {
    checks: service.checks,
    pruneAudit: (now) => audit.prune(now),
    async close() {
      clearInterval(timer);
      await service.close();
    },
  };
}

/** How the launchers start backoffice (see `defineModuleService`). */
export const moduleService = defineModuleService({ name: 'backoffice', settingsSchema: backofficeSettingsSchema, start: startBackofficeService });

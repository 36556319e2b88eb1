import { type OutboxSignal, OutboxRelay } from '@np/messaging';
import { ormTransactions } from '@np/persistence';
import { defineModuleService, OUTBOX, type RunningService, type ServiceDeps, startModuleService } from '@np/runtime';
import { REPORTS_CONTRACTS } from './contracts/index.js';
import { reportsEntities } from './entities/index.js';
import { reportsMigrations } from './migrations.js';
import { ReportsService } from './definitions/reports.service.js';
import { ExportRunner } from './exports/export-runner.js';
import { startExportWorker, startScheduleWorker } from './exports/export-worker.js';
import { ExportsService } from './exports/exports.service.js';
import { SchedulesService } from './exports/schedules.service.js';
import { ExportsRepository } from './exports/exports.repository.js';
import { JobQueue } from './exports/job-queue.js';
import { EventStream } from './projections/event-stream.js';
import { createQueryPool } from './query/query-pool.js';
import { ReportsModule } from './reports.module.js';
import { reportsSettingsSchema, type ReportsSettings } from './settings.js';

export { reportsSettingsSchema, type ReportsSettings } from './settings.js';
export { reportsMigrations } from './migrations.js';

/** The durable subscription every replica shares: each event reaches one of them. */
export const REPORTS_CONSUMER = 'reports';

export interface StartReportsServiceOptions {
  deps: ServiceDeps;
  settings: ReportsSettings;
}

export interface ReportsServiceHandle extends RunningService {
  /** Empties the projections and replays the kept stream; answers how many events it replayed. */
  rebuildProjections(): Promise<number>;
}

/**
 * Opens the reports schema (migrating it), serves the module on the bus and subscribes to every
 * domain event: each is kept once and projected into the datasets.
 */
export async function startReportsService({ deps, settings }: StartReportsServiceOptions): Promise<ReportsServiceHandle> {
  const schema = settings.NP_REPORTS_SCHEMA;
  const pool = createQueryPool(settings.NP_DATABASE_URL, settings.NP_REPORTS_QUERY_POOL_MAX, deps.logger);
  const queue = new JobQueue(settings.NP_DATABASE_URL, schema, deps.logger, settings.NP_REPORTS_EXPORT_RETRIES, settings.NP_REPORTS_CRON_CHECK_SECONDS);
  const service = await startModuleService({
    name: 'reports',
    contracts: REPORTS_CONTRACTS,
    deps,
    database: { url: settings.NP_DATABASE_URL, schema, entities: reportsEntities, migrations: reportsMigrations(schema), poolMax: settings.NP_DATABASE_POOL_MAX },
    outboxRelay: (db) => new OutboxRelay({ transport: deps.transport, withTransaction: ormTransactions(db), schema, logger: deps.logger, retentionHours: settings.NP_OUTBOX_RETENTION_HOURS }),
    appModule: ({ db, outbox }) => ReportsModule.register({ ...deps, db, settings, pool, queue, outbox }),
  }).catch(async (error: unknown) => {
    await pool.end();
    throw error;
  });
  const stream = new EventStream(pool, schema, deps.logger);
  const close = async () => {
    await queue.stop();
    await service.close();
    await pool.end();
  };
  try {
    await deps.transport.subscribe(REPORTS_CONSUMER, ['#'], (event) => stream.record(event).then(() => undefined));
    const runner = new ExportRunner(pool, deps.bus, settings, deps.logger);
    const outbox = service.app.get<OutboxSignal>(OUTBOX);
    await startExportWorker(queue, { exports: service.app.get(ExportsRepository), reports: service.app.get(ReportsService), runner, logger: deps.logger, outbox });
    await startScheduleWorker(queue, { schedules: service.app.get(SchedulesService), exports: service.app.get(ExportsService), logger: deps.logger });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    checks: service.checks,
    rebuildProjections: () => stream.rebuild(),
    close,
  };
}

/** How the launchers start reports (see `defineModuleService`). */
export const moduleService = defineModuleService({ name: 'reports', settingsSchema: reportsSettingsSchema, start: startReportsService });

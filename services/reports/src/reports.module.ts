import { type DynamicModule, Module } from '@nestjs/common';
import type { OutboxSignal } from '@np/messaging';
import { type DataServiceDeps, dataServiceProviders } from '@np/runtime';
import type pg from 'pg';
import { DatasetCatalog } from './datasets/dataset-catalog.js';
import { DefinitionsRepository } from './definitions/definitions.repository.js';
import { ExportsRepository } from './exports/exports.repository.js';
import { ExportsService } from './exports/exports.service.js';
import { JOB_QUEUE, type JobQueue } from './exports/job-queue.js';
import { SchedulesService } from './exports/schedules.service.js';
import { ReportsService } from './definitions/reports.service.js';
import { QUERY_POOL } from './query/query-pool.js';
import { ReportRunner } from './query/report-runner.js';
import { ReportsHandlers } from './reports.handlers.js';
import type { ReportsSettings } from './settings.js';

export interface ReportsModuleDeps extends DataServiceDeps {
  settings: ReportsSettings;
  pool: pg.Pool;
  queue: JobQueue;
  outbox: OutboxSignal;
}

@Module({})
export class ReportsModule {
  static register(deps: ReportsModuleDeps): DynamicModule {
    return {
      module: ReportsModule,
      controllers: [ReportsHandlers],
      providers: [
        ...dataServiceProviders(deps),
        { provide: QUERY_POOL, useValue: deps.pool },
        { provide: JOB_QUEUE, useValue: deps.queue },
        DefinitionsRepository,
        DatasetCatalog,
        ReportRunner,
        ReportsService,
        ExportsRepository,
        ExportsService,
        SchedulesService,
      ],
      exports: [ReportsService, ExportsRepository, ExportsService, SchedulesService],
    };
  }
}

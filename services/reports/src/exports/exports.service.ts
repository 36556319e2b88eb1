import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, type Principal } from '@np/contracts';
import { domainEvent, type OutboxSignal } from '@np/messaging';
import { OUTBOX } from '@np/runtime';
import type { Export, ExportFormat, ExportStatus } from '../contracts/index.js';
import { ReportsService } from '../definitions/reports.service.js';
import { type ExportRecord, ExportsRepository, toExport } from './exports.repository.js';
import { JOB_QUEUE, type JobQueue } from './job-queue.js';

/** How many deliveries `GET /v1/reports/:id/runs` answers, newest first. */
const RUNS_LISTED = 100;

/** Export requests and their state; the job that makes the file is ExportWorker. */
@Injectable()
export class ExportsService {
  constructor(
    @Inject(ExportsRepository) private readonly exports: ExportsRepository,
    @Inject(ReportsService) private readonly reports: ReportsService,
    @Inject(JOB_QUEUE) private readonly queue: Pick<JobQueue, 'enqueueExport'>,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
  ) {}

  /**
   * Queues an export of the report as a file of the caller (or of a schedule's owner). A
   * schedule's tick names its export by the tick's job id, so a retried tick queues the same one.
   */
  async request(reportId: string, format: ExportFormat, owner: Principal | { sub: string } | undefined, scheduleId: string | null = null, exportId: string = randomUUID()): Promise<{ id: string; status: ExportStatus }> {
    if (!owner) throw new AppError('token_missing', 'Exporting a report needs a signed-in caller.');
    const report = await this.reports.record(reportId);
    await this.reports.validated(report.query);
    const record = await this.exports.insert({ id: exportId, reportId, scheduleId, ownerId: owner.sub, format }, (inserted) =>
      domainEvent('reports.export.requested', { export: { id: inserted.id, reportId, scheduleId, format, ownerId: owner.sub } }),
    );
    this.outbox.kick();
    await this.queue.enqueueExport(record.id);
    return { id: record.id, status: record.status };
  }

  async get(exportId: string): Promise<Export> {
    const record = await this.exports.findById(exportId);
    if (!record) throw new AppError('not_found', `No export ${exportId}.`);
    return toExport(record);
  }

  async runs(reportId: string): Promise<{ items: Export[] }> {
    await this.reports.record(reportId);
    return { items: (await this.exports.listForReport(reportId, RUNS_LISTED)).map(toExport) };
  }

  findRecord(exportId: string): Promise<ExportRecord | null> {
    return this.exports.findById(exportId);
  }
}

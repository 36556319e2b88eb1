import { domainEvent, type OutboxSignal } from '@np/messaging';
import { type Logger, runWithRequestContext } from '@np/observability';
import type { ReportsService } from '../definitions/reports.service.js';
import type { ExportRunner } from './export-runner.js';
import type { ExportsRepository } from './exports.repository.js';
import type { ExportsService } from './exports.service.js';
import { EXPORT_QUEUE, type ExportJob, type JobQueue, SCHEDULE_QUEUE, type ScheduleJob } from './job-queue.js';
import type { SchedulesService } from './schedules.service.js';

/**
 * Works the export queue: each job makes one export's file. A failed attempt goes back to the
 * queue (pg-boss retries with backoff) and the export says `queued` with the error; after the
 * last retry it is `failed`.
 */
export async function startExportWorker(queue: JobQueue, deps: { exports: ExportsRepository; reports: ReportsService; runner: ExportRunner; logger: Logger; outbox: OutboxSignal }): Promise<void> {
  await queue.start();
  // Polled every half second: an export asked for starts without the default two-second wait.
  const options = { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: 0.5 } as const;
  await queue.boss.work<ExportJob, void, typeof options>(EXPORT_QUEUE, options, async ([job]) => {
    if (!job) return;
    const record = await deps.exports.findById(job.data.exportId);
    if (!record || record.status === 'succeeded') return;
    const final = job.retryCount >= job.retryLimit;
    const completed = (status: 'succeeded' | 'failed', rows: number | null, fileId: string | null) =>
      domainEvent('reports.export.completed', { export: { id: record.id, reportId: record.reportId, format: record.format, status, rows, fileId, ownerId: record.ownerId } });
    // The work is done for the export's owner: its events (the file's too) name them.
    await runWithRequestContext({ requestId: `export-${record.id}`, actorId: record.ownerId }, async () => {
      await deps.exports.markRunning(record.id);
      try {
        const report = await deps.reports.record(record.reportId);
        const source = await deps.reports.validated(report.query);
        const outcome = await deps.runner.run({ source, query: report.query, reportName: report.name, format: record.format, ownerId: record.ownerId });
        await deps.exports.markSucceeded(record.id, outcome, completed('succeeded', outcome.rows, outcome.fileId));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await deps.exports.markFailed(record.id, message, final, completed('failed', null, null));
        deps.logger.warn({ err: error, exportId: record.id, final }, 'export attempt failed');
        if (!final) throw error;
      } finally {
        deps.outbox.kick();
      }
    });
  });
}

/**
 * Works the schedule queue: each tick of a schedule (one job, whichever replica's cron pass sent
 * it) becomes one export of its report, owned by whoever made the schedule, in its history.
 */
export async function startScheduleWorker(queue: JobQueue, deps: { schedules: SchedulesService; exports: ExportsService; logger: Logger }): Promise<void> {
  await queue.start();
  await queue.boss.work<ScheduleJob>(SCHEDULE_QUEUE, { batchSize: 1 }, async ([job]) => {
    if (!job) return;
    const schedule = await deps.schedules.find(job.data.scheduleId);
    if (!schedule) return; // removed since
    const accepted = await deps.exports.request(schedule.reportId, schedule.format, { sub: schedule.ownerId }, schedule.id, job.id);
    deps.logger.info({ scheduleId: schedule.id, exportId: accepted.id }, 'scheduled export queued');
  });
}

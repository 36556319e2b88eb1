import type { Logger } from '@np/observability';
import type { ReportsService } from '../definitions/reports.service.js';
import type { ExportRunner } from './export-runner.js';
import type { ExportsRepository } from './exports.repository.js';
import { EXPORT_QUEUE, type ExportJob, type JobQueue } from './job-queue.js';

/**
 * Works the export queue: each job makes one export's file. A failed attempt goes back to the
 * queue (pg-boss retries with backoff) and the export says `queued` with the error; after the
 * last retry it is `failed`.
 */
export async function startExportWorker(queue: JobQueue, deps: { exports: ExportsRepository; reports: ReportsService; runner: ExportRunner; logger: Logger }): Promise<void> {
  await queue.start();
  const options = { batchSize: 1, includeMetadata: true } as const;
  await queue.boss.work<ExportJob, void, typeof options>(EXPORT_QUEUE, options, async ([job]) => {
    if (!job) return;
    const record = await deps.exports.findById(job.data.exportId);
    if (!record || record.status === 'succeeded') return;
    const final = job.retryCount >= job.retryLimit;
    await deps.exports.markRunning(record.id);
    try {
      const report = await deps.reports.record(record.reportId);
      const source = await deps.reports.validated(report.query);
      const outcome = await deps.runner.run({ source, query: report.query, reportName: report.name, format: record.format, ownerId: record.ownerId });
      await deps.exports.markSucceeded(record.id, outcome);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await deps.exports.markFailed(record.id, message, final);
      deps.logger.warn({ err: error, exportId: record.id, final }, 'export attempt failed');
      if (!final) throw error;
    }
  });
}

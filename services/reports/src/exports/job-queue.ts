import type { Logger } from '@np/observability';
import { PgBoss } from 'pg-boss';

export const JOB_QUEUE = Symbol('JOB_QUEUE');
export const EXPORT_QUEUE = 'reports-export';
export const SCHEDULE_QUEUE = 'reports-schedule';

export interface ExportJob {
  exportId: string;
}

export interface ScheduleJob {
  scheduleId: string;
}

/**
 * The module's jobs on PostgreSQL (pg-boss, in the module's own schema): exports, and the
 * schedules that make them. Every replica works the same queues; a job is taken by one of them.
 */
export class JobQueue {
  readonly boss: PgBoss;
  private started: Promise<void> | undefined;

  constructor(
    url: string,
    schema: string,
    private readonly logger: Logger,
    private readonly retries: number,
    cronCheckSeconds = 30,
  ) {
    // The schema exists (openDatabase made it); a tenant's role may not create schemas.
    this.boss = new PgBoss({ connectionString: url, schema, createSchema: false, max: 3, cronMonitorIntervalSeconds: cronCheckSeconds, cronWorkerIntervalSeconds: Math.min(5, cronCheckSeconds) });
    this.boss.on('error', (error: unknown) => this.logger.error({ err: error }, 'job queue error'));
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      await this.boss.createQueue(EXPORT_QUEUE, { retryLimit: this.retries, retryDelay: 2, retryBackoff: true });
      await this.boss.createQueue(SCHEDULE_QUEUE, { retryLimit: 3, retryDelay: 2, retryBackoff: true });
    })();
    return this.started;
  }

  async enqueueExport(exportId: string): Promise<void> {
    await this.start();
    await this.boss.send(EXPORT_QUEUE, { exportId } satisfies ExportJob);
  }

  /** One pg-boss schedule per report schedule, keyed by its id: every replica's cron pass files a tick under the same key, so it is sent once. */
  async schedule(scheduleId: string, cron: string, timezone: string): Promise<void> {
    await this.start();
    await this.boss.schedule(SCHEDULE_QUEUE, cron, { scheduleId } satisfies ScheduleJob, { tz: timezone, key: scheduleId });
  }

  async unschedule(scheduleId: string): Promise<void> {
    await this.start();
    await this.boss.unschedule(SCHEDULE_QUEUE, scheduleId);
  }

  async stop(): Promise<void> {
    if (this.started) await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}

import type { Logger } from '@np/observability';
import { PgBoss } from 'pg-boss';

export const JOB_QUEUE = Symbol('JOB_QUEUE');
export const EXPORT_QUEUE = 'reports-export';

export interface ExportJob {
  exportId: string;
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
  ) {
    // The schema exists (openDatabase made it); a tenant's role may not create schemas.
    this.boss = new PgBoss({ connectionString: url, schema, createSchema: false, max: 3 });
    this.boss.on('error', (error: unknown) => this.logger.error({ err: error }, 'job queue error'));
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      await this.boss.start();
      await this.boss.createQueue(EXPORT_QUEUE, { retryLimit: this.retries, retryDelay: 2, retryBackoff: true });
    })();
    return this.started;
  }

  async enqueueExport(exportId: string): Promise<void> {
    await this.start();
    await this.boss.send(EXPORT_QUEUE, { exportId } satisfies ExportJob);
  }

  async stop(): Promise<void> {
    if (this.started) await this.boss.stop({ graceful: true, timeout: 10_000 });
  }
}

import type { Logger } from '@np/observability';
import type { Registry } from 'prom-client';
import { controllerMetrics, workqueueMetrics, type ControllerMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limiter.js';
import { WorkQueue } from './workqueue.js';

/** What a reconcile asks for next; nothing means "done until something changes". */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | undefined>;

/** An error retrying will not fix (e.g. an invalid object): logged and counted, not requeued. */
export class TerminalError extends Error {
  override name = 'TerminalError';
}

export interface ControllerOptions {
  name: string;
  reconcile: Reconciler;
  logger: Logger;
  registry: Registry;
  /** Keys reconciled at once; one key is never reconciled by two workers. */
  concurrency?: number;
  /** controller-runtime's default when omitted (see defaultControllerRateLimiter). */
  rateLimiter?: RateLimiter;
}

/**
 * controller-runtime's processing loop: workers take keys from a deduplicating work queue, run the
 * reconcile, and requeue with per-key backoff on error, after a delay when asked, or not at all.
 */
export class Controller {
  readonly queue: WorkQueue;
  private readonly metrics: ControllerMetrics;
  private workers: Promise<void>[] = [];

  constructor(private readonly options: ControllerOptions) {
    this.queue = new WorkQueue({
      rateLimiter: options.rateLimiter,
      metrics: workqueueMetrics(options.registry, options.name, options.name),
    });
    this.metrics = controllerMetrics(options.registry, options.name);
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  start(): void {
    const concurrency = this.options.concurrency ?? 1;
    this.metrics.setMaxConcurrentReconciles(concurrency);
    this.workers = Array.from({ length: concurrency }, () => this.runWorker());
  }

  /** Stops taking keys and waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.workers);
  }

  private async runWorker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.processKey(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async processKey(key: string): Promise<void> {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    this.metrics.workerStarted();
    try {
      const result = await this.options.reconcile(key);
      this.queue.forget(key);
      if (result?.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, result.requeueAfterMs);
        this.metrics.recordReconcile('requeue_after', elapsed());
      } else {
        this.metrics.recordReconcile('success', elapsed());
      }
    } catch (error) {
      this.metrics.recordReconcile('error', elapsed());
      if (error instanceof TerminalError) {
        this.metrics.recordTerminalError();
        this.queue.forget(key);
        this.options.logger.error({ err: error, key }, 'reconcile failed; not retrying');
      } else {
        this.queue.addRateLimited(key);
        this.options.logger.warn({ err: error, key, retries: this.queue.numRequeues(key) }, 'reconcile failed; will retry');
      }
    } finally {
      this.metrics.workerFinished();
    }
  }
}

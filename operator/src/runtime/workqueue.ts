import type { InFlightWork, WorkqueueMetrics } from './metrics.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions {
  rateLimiter?: RateLimiter;
  metrics?: WorkqueueMetrics;
}

/** setTimeout fires at once for delays above 2^31 - 1 ms; longer waits are re-armed in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Waiting {
  readyAt: number;
  timer: NodeJS.Timeout;
}

/**
 * client-go's rate-limiting, delaying, deduplicating work queue (workqueue.Type plus its
 * delaying and rate-limiting wrappers), keyed by string.
 *
 * - A key is handed to at most one worker at a time: `get()` marks it processing until `done()`.
 * - Adding a key that is already queued is a no-op; adding one that is being processed marks it
 *   dirty, and it is queued once more after `done()` (so a change seen mid-reconcile is never lost
 *   and never reconciled concurrently).
 * - Keys come out in the order they were first added (FIFO).
 * - After `shutDown()`, `get()` resolves `undefined` at once, even if keys are still queued:
 *   workers stop instead of draining a backlog nobody may act on any more.
 */
export class WorkQueue {
  private readonly rateLimiter: RateLimiter;
  private readonly metrics: WorkqueueMetrics | undefined;

  /** Keys ready to be handed out, in order; `head` avoids O(n) shifts. */
  private queue: string[] = [];
  private head = 0;
  /** Keys that need processing: queued ones plus processing ones re-added since their get(). */
  private readonly dirty = new Set<string>();
  /** Keys handed out and not yet done(), with when their processing started. */
  private readonly processing = new Map<string, number>();
  /** When each dirty key was first added, for the queue-duration metric. */
  private readonly addedAt = new Map<string, number>();
  /** Keys waiting for a delayed add. */
  private readonly waiting = new Map<string, Waiting>();
  /** get() calls waiting for a key, oldest first. */
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private shutdown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter();
    this.metrics = options.metrics;
    this.metrics?.reportInFlight(() => this.inFlightWork());
  }

  add(key: string): void {
    if (this.shutdown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.addedAt.set(key, performance.now());
    this.metrics?.add();
    this.updateDepth();
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shutdown) return;
    // client-go counts every delayed add (rate-limited or requeue-after) as a retry.
    this.metrics?.retry();
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const readyAt = performance.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing && existing.readyAt <= readyAt) return;
    if (existing) clearTimeout(existing.timer);
    this.waiting.set(key, { readyAt, timer: this.armTimer(key, delayMs) });
  }

  addRateLimited(key: string): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.retries(key);
  }

  get(): Promise<string | undefined> {
    if (this.shutdown) return Promise.resolve(undefined);
    const key = this.dequeue();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return;
    this.processing.delete(key);
    this.metrics?.observeWorkDuration((performance.now() - startedAt) / 1000);
    if (this.dirty.has(key) && !this.shutdown) this.enqueue(key);
  }

  len(): number {
    return this.queue.length - this.head;
  }

  shutDown(): void {
    if (this.shutdown) return;
    this.shutdown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    for (const resolve of this.getters.splice(0)) resolve(undefined);
    this.metrics?.reportInFlight(undefined);
  }

  shuttingDown(): boolean {
    return this.shutdown;
  }

  /** Hands the key straight to the oldest waiting get(), or queues it. */
  private enqueue(key: string): void {
    const getter = this.getters.shift();
    if (getter) {
      this.startProcessing(key);
      getter(key);
      return;
    }
    this.queue.push(key);
  }

  private dequeue(): string | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.startProcessing(key);
    return key;
  }

  private startProcessing(key: string): void {
    const now = performance.now();
    this.dirty.delete(key);
    this.processing.set(key, now);
    const addedAt = this.addedAt.get(key);
    this.addedAt.delete(key);
    if (addedAt !== undefined) this.metrics?.observeQueueDuration((now - addedAt) / 1000);
    this.updateDepth();
  }

  private armTimer(key: string, delayMs: number): NodeJS.Timeout {
    return setTimeout(() => this.onTimer(key), Math.min(delayMs, MAX_TIMER_MS));
  }

  private onTimer(key: string): void {
    const entry = this.waiting.get(key);
    if (!entry) return;
    const remaining = entry.readyAt - performance.now();
    if (remaining > 1) {
      entry.timer = this.armTimer(key, remaining);
      return;
    }
    this.waiting.delete(key);
    this.add(key);
  }

  /** client-go's depth: every dirty key, including ones re-added while being processed. */
  private updateDepth(): void {
    this.metrics?.setDepth(this.dirty.size);
  }

  private inFlightWork(): InFlightWork {
    const now = performance.now();
    let unfinishedMs = 0;
    let longestMs = 0;
    for (const startedAt of this.processing.values()) {
      const running = now - startedAt;
      unfinishedMs += running;
      longestMs = Math.max(longestMs, running);
    }
    return { unfinishedSeconds: unfinishedMs / 1000, longestRunningSeconds: longestMs / 1000 };
  }
}

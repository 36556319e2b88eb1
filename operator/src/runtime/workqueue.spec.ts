import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Registry } from 'prom-client';
import { workqueueMetrics } from './metrics.js';
import type { RateLimiter } from './rate-limiter.js';
import { WorkQueue } from './workqueue.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves to 'pending' when the promise has not settled after pending timers and microtasks ran. */
async function settled<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, sleep(5).then(() => 'pending' as const)]);
}

function fixedLimiter(delayMs: number): RateLimiter & { attempts: Map<string, number> } {
  const attempts = new Map<string, number>();
  return {
    attempts,
    when: (key) => (attempts.set(key, (attempts.get(key) ?? 0) + 1), delayMs),
    forget: (key) => void attempts.delete(key),
    retries: (key) => attempts.get(key) ?? 0,
  };
}

async function valueOf(registry: Registry, name: string, labels: Record<string, string>, suffix = ''): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  const data = await metric!.get();
  const wanted = `${name}${suffix}`;
  return data.values.find(
    (value) =>
      (value as { metricName?: string }).metricName === (suffix ? wanted : undefined) &&
      Object.entries(labels).every(([label, text]) => value.labels[label] === text),
  )?.value;
}

describe('WorkQueue', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('hands keys out in the order they were added, each once', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    queue.add('b');
    queue.add('a');
    queue.add('c');
    expect(queue.len()).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
    expect(queue.len()).toBe(0);
    queue.shutDown();
  });

  it('holds back a key added while it is processed, and queues it once after done()', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    expect(await queue.get()).toBe('a');
    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(0);
    const next = queue.get();
    expect(await settled(next)).toBe('pending');
    queue.done('a');
    expect(await next).toBe('a');
    queue.done('a');
    expect(queue.len()).toBe(0);
    queue.shutDown();
  });

  it('never gives one key to two waiting workers', async () => {
    const queue = new WorkQueue();
    const first = queue.get();
    const second = queue.get();
    queue.add('a');
    expect(await first).toBe('a');
    queue.add('a');
    queue.add('b');
    expect(await second).toBe('b');
    const third = queue.get();
    expect(await settled(third)).toBe('pending');
    queue.done('a');
    expect(await third).toBe('a');
    queue.shutDown();
  });

  it('does not requeue a key that was not re-added while processed', async () => {
    const queue = new WorkQueue();
    queue.add('a');
    await queue.get();
    queue.done('a');
    expect(queue.len()).toBe(0);
    queue.done('a'); // a second done() is harmless
    expect(queue.len()).toBe(0);
    queue.shutDown();
  });

  it('adds a key after a delay, and not before', async () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 20);
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBe('a');
    queue.shutDown();
  });

  it('adds at once when the delay is not positive', () => {
    const queue = new WorkQueue();
    queue.addAfter('a', 0);
    queue.addAfter('b', -5);
    expect(queue.len()).toBe(2);
    queue.shutDown();
  });

  it('lets the sooner of two delayed adds for one key win, and adds the key once', () => {
    jest.useFakeTimers();
    const queue = new WorkQueue();
    queue.addAfter('a', 10_000);
    queue.addAfter('a', 100);
    queue.addAfter('a', 5_000);
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(100);
    expect(queue.len()).toBe(1);
    jest.advanceTimersByTime(20_000);
    expect(queue.len()).toBe(1);
    queue.shutDown();
  });

  it('waits out delays longer than a single timer can hold', () => {
    jest.useFakeTimers();
    const queue = new WorkQueue();
    const days30 = 30 * 24 * 3600 * 1000;
    queue.addAfter('a', days30);
    jest.advanceTimersByTime(2 ** 31);
    expect(queue.len()).toBe(0);
    jest.advanceTimersByTime(days30 - 2 ** 31);
    expect(queue.len()).toBe(1);
    queue.shutDown();
  });

  it('rate-limits adds through its limiter, and forgets through it', () => {
    jest.useFakeTimers();
    const limiter = fixedLimiter(1000);
    const queue = new WorkQueue({ rateLimiter: limiter });
    queue.addRateLimited('a');
    queue.addRateLimited('a');
    expect(queue.numRequeues('a')).toBe(2);
    expect(queue.len()).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(queue.len()).toBe(1);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
    queue.shutDown();
  });

  it('backs off with the default controller limiter when none is given', async () => {
    const queue = new WorkQueue();
    queue.addRateLimited('a');
    expect(queue.numRequeues('a')).toBe(1);
    expect(await queue.get()).toBe('a');
    queue.shutDown();
  });

  describe('shutDown', () => {
    it('wakes waiting workers with undefined and answers later get() calls the same', async () => {
      const queue = new WorkQueue();
      const waiting = [queue.get(), queue.get()];
      queue.shutDown();
      expect(await Promise.all(waiting)).toEqual([undefined, undefined]);
      expect(queue.shuttingDown()).toBe(true);
      queue.add('a');
      expect(queue.len()).toBe(0);
      expect(await queue.get()).toBeUndefined();
    });

    it('stops handing out keys that are still queued', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      queue.add('b');
      queue.shutDown();
      expect(await queue.get()).toBeUndefined();
    });

    it('clears pending delayed adds and ignores new ones', () => {
      jest.useFakeTimers();
      const queue = new WorkQueue({ rateLimiter: fixedLimiter(50) });
      queue.addAfter('a', 1000);
      queue.addRateLimited('b');
      expect(jest.getTimerCount()).toBe(2);
      queue.shutDown();
      expect(jest.getTimerCount()).toBe(0);
      queue.addAfter('c', 10);
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(2000);
      expect(queue.len()).toBe(0);
    });

    it('lets a worker finish with done() without requeueing', async () => {
      const queue = new WorkQueue();
      queue.add('a');
      await queue.get();
      queue.add('a');
      queue.shutDown();
      queue.done('a');
      expect(queue.len()).toBe(0);
    });
  });

  describe('metrics', () => {
    const labels = { controller: 'tenant', name: 'tenant' };

    it('counts adds, depth, retries and durations as client-go does', async () => {
      const registry = new Registry();
      const queue = new WorkQueue({ rateLimiter: fixedLimiter(0), metrics: workqueueMetrics(registry, 'tenant', 'tenant') });

      queue.add('a');
      queue.add('b');
      queue.add('a');
      expect(await valueOf(registry, 'workqueue_adds_total', labels)).toBe(2);
      expect(await valueOf(registry, 'workqueue_depth', labels)).toBe(2);

      expect(await queue.get()).toBe('a');
      expect(await valueOf(registry, 'workqueue_depth', labels)).toBe(1);
      expect(await valueOf(registry, 'workqueue_queue_duration_seconds', labels, '_count')).toBe(1);

      // A re-add while processing counts as an add and as depth, like client-go's dirty set.
      queue.add('a');
      expect(await valueOf(registry, 'workqueue_adds_total', labels)).toBe(3);
      expect(await valueOf(registry, 'workqueue_depth', labels)).toBe(2);

      queue.done('a');
      expect(await valueOf(registry, 'workqueue_work_duration_seconds', labels, '_count')).toBe(1);

      queue.addRateLimited('c');
      queue.addAfter('d', 0);
      expect(await valueOf(registry, 'workqueue_retries_total', labels)).toBe(2);
      queue.shutDown();
    });

    it('reports in-flight work when scraped, and zero once it is done', async () => {
      const registry = new Registry();
      const queue = new WorkQueue({ metrics: workqueueMetrics(registry, 'tenant', 'tenant') });
      queue.add('a');
      queue.add('b');
      await queue.get();
      await sleep(5);
      await queue.get();
      await sleep(5);

      const unfinished = (await valueOf(registry, 'workqueue_unfinished_work_seconds', labels))!;
      const longest = (await valueOf(registry, 'workqueue_longest_running_processor_seconds', labels))!;
      expect(longest).toBeGreaterThan(0);
      expect(unfinished).toBeGreaterThan(longest);

      queue.done('a');
      queue.done('b');
      expect(await valueOf(registry, 'workqueue_unfinished_work_seconds', labels)).toBe(0);
      expect(await valueOf(registry, 'workqueue_longest_running_processor_seconds', labels)).toBe(0);
      queue.shutDown();
    });

    it('keeps two queues in one registry apart', async () => {
      const registry = new Registry();
      const first = new WorkQueue({ metrics: workqueueMetrics(registry, 'tenant', 'tenant') });
      const second = new WorkQueue({ metrics: workqueueMetrics(registry, 'other', 'other') });
      first.add('a');
      second.add('a');
      second.add('b');
      expect(await valueOf(registry, 'workqueue_depth', labels)).toBe(1);
      expect(await valueOf(registry, 'workqueue_depth', { controller: 'other', name: 'other' })).toBe(2);
      first.shutDown();
      second.shutDown();
    });
  });
});

import { describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { Registry } from 'prom-client';
import { Controller, TerminalError, type Reconciler } from './controller.js';
import { ItemExponentialRateLimiter } from './rate-limiter.js';

const logger = pino({ level: 'silent' });

async function until(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 400 && !check(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

function controllerWith(reconcile: Reconciler, { start = true } = {}) {
  const registry = new Registry();
  const controller = new Controller({ name: 'test', reconcile, logger, registry, concurrency: 2, rateLimiter: new ItemExponentialRateLimiter(1, 20) });
  if (start) controller.start();
  return { controller, registry };
}

async function reconcileCount(registry: Registry, result: string): Promise<number> {
  const metric = await registry.getSingleMetric('controller_runtime_reconcile_total')!.get();
  return metric.values.find((sample) => sample.labels.result === result)?.value ?? 0;
}

describe('Controller', () => {
  it('reconciles each queued key once, however often it was added while waiting', async () => {
    const seen: string[] = [];
    const { controller, registry } = controllerWith(
      async (key) => {
        seen.push(key);
        return undefined;
      },
      { start: false },
    );
    controller.enqueue('a');
    controller.enqueue('a');
    controller.enqueue('b');
    controller.start();
    await until(() => seen.length >= 2);
    await controller.stop();
    expect(seen.sort()).toEqual(['a', 'b']);
    expect(await reconcileCount(registry, 'success')).toBe(2);
  });

  it('retries a failing key with backoff until it succeeds', async () => {
    let attempts = 0;
    const { controller, registry } = controllerWith(async () => {
      attempts += 1;
      if (attempts < 3) throw new Error('API server unavailable');
      return undefined;
    });
    controller.enqueue('tenant');
    await until(() => attempts === 3);
    await controller.stop();
    expect(await reconcileCount(registry, 'error')).toBe(2);
    expect(await reconcileCount(registry, 'success')).toBe(1);
  });

  it('does not retry a terminal error', async () => {
    let attempts = 0;
    const { controller, registry } = controllerWith(async () => {
      attempts += 1;
      throw new TerminalError('invalid object');
    });
    controller.enqueue('tenant');
    await until(() => attempts === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await controller.stop();
    expect(attempts).toBe(1);
    expect(await reconcileCount(registry, 'error')).toBe(1);
  });

  it('comes back after requeueAfterMs when asked', async () => {
    let attempts = 0;
    const { controller, registry } = controllerWith(async () => {
      attempts += 1;
      return attempts === 1 ? { requeueAfterMs: 10 } : undefined;
    });
    controller.enqueue('tenant');
    await until(() => attempts === 2);
    await controller.stop();
    expect(await reconcileCount(registry, 'requeue_after')).toBe(1);
  });
});

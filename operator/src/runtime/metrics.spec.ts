import { describe, expect, it } from '@jest/globals';
import { Counter, Registry } from 'prom-client';
import { controllerMetrics, leaderElectionMetrics, workqueueMetrics } from './metrics.js';

async function series(registry: Registry, name: string): Promise<Array<{ labels: Partial<Record<string, string | number>>; value: number; metricName?: string }>> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  return (await metric.get()).values;
}

async function value(registry: Registry, name: string, labels: Record<string, string>, metricName?: string): Promise<number | undefined> {
  return (await series(registry, name)).find(
    (entry) => entry.metricName === metricName && Object.entries(labels).every(([key, text]) => entry.labels[key] === text),
  )?.value;
}

describe('controllerMetrics', () => {
  it('registers controller-runtime names with every result at zero before the first reconcile', async () => {
    const registry = new Registry();
    controllerMetrics(registry, 'tenant');
    const text = await registry.metrics();
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      expect(text).toContain(`controller_runtime_reconcile_total{controller="tenant",result="${result}"} 0`);
    }
    expect(text).toContain('controller_runtime_reconcile_errors_total{controller="tenant"} 0');
    expect(text).toContain('controller_runtime_active_workers{controller="tenant"} 0');
    expect(text).toContain('# TYPE controller_runtime_reconcile_time_seconds histogram');
    expect(text).toContain('# TYPE controller_runtime_max_concurrent_reconciles gauge');
  });

  it('counts reconciles by result, errors apart, and their durations', async () => {
    const registry = new Registry();
    const metrics = controllerMetrics(registry, 'tenant');
    metrics.recordReconcile('success', 0.02);
    metrics.recordReconcile('error', 0.5);
    metrics.recordReconcile('error', 0.5);
    metrics.recordTerminalError();
    metrics.recordReconcile('requeue_after', 1);

    expect(await value(registry, 'controller_runtime_reconcile_total', { controller: 'tenant', result: 'success' })).toBe(1);
    expect(await value(registry, 'controller_runtime_reconcile_total', { controller: 'tenant', result: 'error' })).toBe(2);
    expect(await value(registry, 'controller_runtime_reconcile_total', { controller: 'tenant', result: 'requeue_after' })).toBe(1);
    expect(await value(registry, 'controller_runtime_reconcile_errors_total', { controller: 'tenant' })).toBe(2);
    expect(await value(registry, 'controller_runtime_terminal_reconcile_errors_total', { controller: 'tenant' })).toBe(1);
    expect(
      await value(registry, 'controller_runtime_reconcile_time_seconds', { controller: 'tenant' }, 'controller_runtime_reconcile_time_seconds_count'),
    ).toBe(4);
    expect(
      await value(registry, 'controller_runtime_reconcile_time_seconds', { controller: 'tenant' }, 'controller_runtime_reconcile_time_seconds_sum'),
    ).toBeCloseTo(2.02);
  });

  it('tracks configured and active workers', async () => {
    const registry = new Registry();
    const metrics = controllerMetrics(registry, 'tenant');
    metrics.setMaxConcurrentReconciles(4);
    metrics.workerStarted();
    metrics.workerStarted();
    metrics.workerFinished();
    expect(await value(registry, 'controller_runtime_max_concurrent_reconciles', { controller: 'tenant' })).toBe(4);
    expect(await value(registry, 'controller_runtime_active_workers', { controller: 'tenant' })).toBe(1);
  });

  it('reuses the metrics on a second registration and keeps controllers apart', async () => {
    const registry = new Registry();
    const first = controllerMetrics(registry, 'tenant');
    first.workerStarted();
    const again = controllerMetrics(registry, 'tenant');
    const other = controllerMetrics(registry, 'other');
    again.recordReconcile('success', 0.1);
    other.recordReconcile('success', 0.1);
    other.recordReconcile('success', 0.1);
    expect(await value(registry, 'controller_runtime_reconcile_total', { controller: 'tenant', result: 'success' })).toBe(1);
    expect(await value(registry, 'controller_runtime_reconcile_total', { controller: 'other', result: 'success' })).toBe(2);
    // Registering again must not reset a live series.
    expect(await value(registry, 'controller_runtime_active_workers', { controller: 'tenant' })).toBe(1);
  });

  it('refuses a name already registered as another kind of metric', () => {
    const registry = new Registry();
    new Counter({ name: 'controller_runtime_active_workers', help: 'x', labelNames: ['controller'], registers: [registry] });
    expect(() => controllerMetrics(registry, 'tenant')).toThrow(/another type/);
  });
});

describe('workqueueMetrics', () => {
  it('registers every client-go workqueue name with controller and name labels', async () => {
    const registry = new Registry();
    const metrics = workqueueMetrics(registry, 'tenant', 'tenant-queue');
    metrics.add();
    metrics.setDepth(3);
    metrics.retry();
    metrics.observeQueueDuration(0.001);
    metrics.observeWorkDuration(0.25);
    const text = await registry.metrics();
    expect(text).toContain('workqueue_adds_total{controller="tenant",name="tenant-queue"} 1');
    expect(text).toContain('workqueue_depth{controller="tenant",name="tenant-queue"} 3');
    expect(text).toContain('workqueue_retries_total{controller="tenant",name="tenant-queue"} 1');
    expect(text).toContain('workqueue_queue_duration_seconds_count{controller="tenant",name="tenant-queue"} 1');
    expect(text).toContain('workqueue_work_duration_seconds_count{controller="tenant",name="tenant-queue"} 1');
    expect(text).toContain('# TYPE workqueue_unfinished_work_seconds gauge');
    expect(text).toContain('# TYPE workqueue_longest_running_processor_seconds gauge');
  });

  it('uses client-go buckets from 10 ns to 1000 s for queue and work durations', async () => {
    const registry = new Registry();
    workqueueMetrics(registry, 'tenant', 'tenant').observeWorkDuration(1);
    const buckets = (await series(registry, 'workqueue_work_duration_seconds'))
      .filter((entry) => entry.metricName === 'workqueue_work_duration_seconds_bucket')
      .map((entry) => entry.labels.le);
    expect(buckets).toEqual([1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000, '+Inf']);
  });

  it('reads in-flight work from the registered source on each scrape', async () => {
    const registry = new Registry();
    const metrics = workqueueMetrics(registry, 'tenant', 'tenant');
    let reads = 0;
    metrics.reportInFlight(() => ({ unfinishedSeconds: 3 + reads++, longestRunningSeconds: 2 }));
    expect(await value(registry, 'workqueue_longest_running_processor_seconds', { controller: 'tenant', name: 'tenant' })).toBe(2);
    expect(await value(registry, 'workqueue_unfinished_work_seconds', { controller: 'tenant', name: 'tenant' })).toBeGreaterThanOrEqual(3);
    metrics.reportInFlight(undefined);
    expect(await value(registry, 'workqueue_unfinished_work_seconds', { controller: 'tenant', name: 'tenant' })).toBe(0);
    expect(await value(registry, 'workqueue_longest_running_processor_seconds', { controller: 'tenant', name: 'tenant' })).toBe(0);
  });

  it('does not throw when a queue registers twice', () => {
    const registry = new Registry();
    workqueueMetrics(registry, 'tenant', 'tenant');
    expect(() => workqueueMetrics(registry, 'tenant', 'tenant')).not.toThrow();
  });
});

describe('leaderElectionMetrics', () => {
  it('starts the lease series at 0 and returns the shared gauge', async () => {
    const registry = new Registry();
    const { masterStatus } = leaderElectionMetrics(registry, 'np-operator');
    expect(await registry.metrics()).toContain('leader_election_master_status{name="np-operator"} 0');
    masterStatus.set({ name: 'np-operator' }, 1);
    expect(leaderElectionMetrics(registry, 'np-operator').masterStatus).toBe(masterStatus);
    expect(await registry.metrics()).toContain('leader_election_master_status{name="np-operator"} 1');
  });
});

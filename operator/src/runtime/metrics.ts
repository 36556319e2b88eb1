import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

// Names, labels, help texts and buckets follow controller-runtime's registry, so dashboards and
// alerts written for Go operators read these metrics unchanged.

/** controller-runtime's `result` label values. */
export type ReconcileOutcome = 'success' | 'error' | 'requeue' | 'requeue_after';

const RECONCILE_RESULTS: readonly ReconcileOutcome[] = ['success', 'error', 'requeue', 'requeue_after'];

const RECONCILE_TIME_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75,
  2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** client-go's `ExponentialBuckets(10e-9, 10, 12)`: 10 ns up to 1000 s. */
const WORKQUEUE_DURATION_BUCKETS = Array.from({ length: 12 }, (_, i) => Number((1e-8 * 10 ** i).toPrecision(1)));

type MetricClass<M> = abstract new (...args: never[]) => M;

/**
 * Returns the metric already registered under `name`, or creates it. Several controllers (and
 * tests) share one registry, and prom-client throws on a second registration of a name.
 */
function reuseOrCreate<M>(registry: Registry, name: string, type: MetricClass<M>, create: () => M): M {
  const existing: unknown = registry.getSingleMetric(name);
  if (existing === undefined) return create();
  if (!(existing instanceof type)) throw new Error(`metric ${name} is already registered with another type`);
  return existing;
}

function counter<T extends string>(registry: Registry, name: string, help: string, labelNames: readonly T[]): Counter<T> {
  return reuseOrCreate(registry, name, Counter<T>, () => new Counter({ name, help, labelNames, registers: [registry] }));
}

function gauge<T extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly T[],
  collect?: (this: Gauge<T>) => void,
): Gauge<T> {
  return reuseOrCreate(registry, name, Gauge<T>, () => new Gauge({ name, help, labelNames, collect, registers: [registry] }));
}

function histogram<T extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly T[],
  buckets: number[],
): Histogram<T> {
  return reuseOrCreate(registry, name, Histogram<T>, () => new Histogram({ name, help, labelNames, buckets, registers: [registry] }));
}

/** Write requests sent to the API server, by verb and kind: what "a no-op reconcile writes nothing" is measured by. */
export function apiWriteMetrics(registry: Registry): Counter<'verb' | 'kind'> {
  return counter(registry, 'np_operator_api_writes_total', 'Write requests the operator sent to the API server, by verb and kind', ['verb', 'kind']);
}

/**
 * Requests the provisioners sent to each server, by kind of server and read or write: the
 * counts of their `calls`, read when scraped. A converged Tenant's reconcile must not move the
 * write series.
 */
export function serverRequestMetrics(registry: Registry, calls: () => Record<string, { reads: number; writes: number }>): void {
  const name = 'np_operator_server_requests_total';
  reuseOrCreate(registry, name, Counter<'kind' | 'access'>, () =>
    new Counter({
      name,
      help: 'Requests the provisioners sent to the servers (RabbitMQ, PostgreSQL, S3, Keycloak), by kind and read or write',
      labelNames: ['kind', 'access'] as const,
      registers: [registry],
      collect(this: Counter<'kind' | 'access'>) {
        this.reset();
        for (const [kind, count] of Object.entries(calls())) {
          this.inc({ kind, access: 'read' }, count.reads);
          this.inc({ kind, access: 'write' }, count.writes);
        }
      },
    }),
  );
}

/** What a controller reports about its reconciles; every call is already bound to the controller's name. */
export interface ControllerMetrics {
  /** One finished reconcile: counts it by result (errors also in the errors total) and records its duration. */
  recordReconcile(result: ReconcileOutcome, durationSeconds: number): void;
  /** An error the reconciler marked as not worth retrying; record the reconcile itself as `error` too. */
  recordTerminalError(): void;
  setMaxConcurrentReconciles(workers: number): void;
  workerStarted(): void;
  workerFinished(): void;
}

export function controllerMetrics(registry: Registry, controller: string): ControllerMetrics {
  const total = counter(registry, 'controller_runtime_reconcile_total', 'Total number of reconciliations per controller', [
    'controller',
    'result',
  ]);
  const errors = counter(registry, 'controller_runtime_reconcile_errors_total', 'Total number of reconciliation errors per controller', [
    'controller',
  ]);
  const terminalErrors = counter(
    registry,
    'controller_runtime_terminal_reconcile_errors_total',
    'Total number of terminal reconciliation errors per controller',
    ['controller'],
  );
  const time = histogram(
    registry,
    'controller_runtime_reconcile_time_seconds',
    'Length of time per reconciliation per controller',
    ['controller'],
    RECONCILE_TIME_BUCKETS,
  );
  const maxConcurrent = gauge(registry, 'controller_runtime_max_concurrent_reconciles', 'Maximum number of concurrent reconciles per controller', [
    'controller',
  ]);
  const activeWorkers = gauge(registry, 'controller_runtime_active_workers', 'Number of currently used workers per controller', ['controller']);

  // controller-runtime exports every series at zero from the start, so rate() and absent()
  // work before the first reconcile. inc(0) creates a series without resetting a live one.
  for (const result of RECONCILE_RESULTS) total.inc({ controller, result }, 0);
  errors.inc({ controller }, 0);
  terminalErrors.inc({ controller }, 0);
  activeWorkers.inc({ controller }, 0);

  return {
    recordReconcile(result, durationSeconds) {
      total.inc({ controller, result });
      if (result === 'error') errors.inc({ controller });
      time.observe({ controller }, durationSeconds);
    },
    recordTerminalError() {
      terminalErrors.inc({ controller });
    },
    setMaxConcurrentReconciles(workers) {
      maxConcurrent.set({ controller }, workers);
    },
    workerStarted() {
      activeWorkers.inc({ controller });
    },
    workerFinished() {
      activeWorkers.dec({ controller });
    },
  };
}

/** How long the items a queue is processing right now have been running, read at scrape time. */
export interface InFlightWork {
  /** Sum over in-flight items of the seconds each has been processing. */
  unfinishedSeconds: number;
  /** Seconds the oldest in-flight item has been processing (0 when none). */
  longestRunningSeconds: number;
}

/** What a work queue reports; every call is already bound to the queue's controller and name. */
export interface WorkqueueMetrics {
  setDepth(depth: number): void;
  add(): void;
  /** Time from an item's add to the get that handed it out. */
  observeQueueDuration(seconds: number): void;
  /** Time from get to done. */
  observeWorkDuration(seconds: number): void;
  retry(): void;
  /**
   * Registers the function the unfinished-work and longest-running gauges read on each scrape
   * (instead of a timer); `undefined` stops reporting and zeroes both.
   */
  reportInFlight(source: (() => InFlightWork) | undefined): void;
}

type WorkqueueLabels = { controller: string; name: string };

interface InFlightSource {
  labels: WorkqueueLabels;
  read: () => InFlightWork;
}

/** Per registry, the queues whose in-flight work the two gauges read when scraped. */
const inFlightSources = new WeakMap<Registry, Map<string, InFlightSource>>();

function inFlightSourcesOf(registry: Registry): Map<string, InFlightSource> {
  let sources = inFlightSources.get(registry);
  if (!sources) {
    sources = new Map();
    inFlightSources.set(registry, sources);
  }
  return sources;
}

export function workqueueMetrics(registry: Registry, controller: string, name: string): WorkqueueMetrics {
  const labels: WorkqueueLabels = { controller, name };
  const labelNames = ['controller', 'name'] as const;
  const sources = inFlightSourcesOf(registry);
  const sourceKey = JSON.stringify([controller, name]);

  const depth = gauge(registry, 'workqueue_depth', 'Current depth of workqueue', labelNames);
  const adds = counter(registry, 'workqueue_adds_total', 'Total number of adds handled by workqueue', labelNames);
  const queueDuration = histogram(
    registry,
    'workqueue_queue_duration_seconds',
    'How long in seconds an item stays in workqueue before being requested',
    labelNames,
    WORKQUEUE_DURATION_BUCKETS,
  );
  const workDuration = histogram(
    registry,
    'workqueue_work_duration_seconds',
    'How long in seconds processing an item from workqueue takes.',
    labelNames,
    WORKQUEUE_DURATION_BUCKETS,
  );
  const unfinished = gauge(
    registry,
    'workqueue_unfinished_work_seconds',
    'How many seconds of work has been done that is in progress and hasn\'t been observed by work_duration. ' +
      'Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
    labelNames,
    function collect() {
      for (const source of sources.values()) this.set(source.labels, source.read().unfinishedSeconds);
    },
  );
  const longest = gauge(
    registry,
    'workqueue_longest_running_processor_seconds',
    'How many seconds has the longest running processor for workqueue been running.',
    labelNames,
    function collect() {
      for (const source of sources.values()) this.set(source.labels, source.read().longestRunningSeconds);
    },
  );
  const retries = counter(registry, 'workqueue_retries_total', 'Total number of retries handled by workqueue', labelNames);

  depth.inc(labels, 0);
  adds.inc(labels, 0);
  retries.inc(labels, 0);

  return {
    setDepth: (value) => depth.set(labels, value),
    add: () => adds.inc(labels),
    observeQueueDuration: (seconds) => queueDuration.observe(labels, seconds),
    observeWorkDuration: (seconds) => workDuration.observe(labels, seconds),
    retry: () => retries.inc(labels),
    reportInFlight(source) {
      if (source) {
        sources.set(sourceKey, { labels, read: source });
        return;
      }
      sources.delete(sourceKey);
      unfinished.set(labels, 0);
      longest.set(labels, 0);
    },
  };
}

/**
 * client-go's `leader_election_master_status{name}`: 1 while this process holds the lease.
 * Pass the lease name as `name`; the LeaderElector sets the series labelled with its lease name.
 */
export function leaderElectionMetrics(registry: Registry, name: string): { masterStatus: Gauge } {
  const masterStatus = gauge(
    registry,
    'leader_election_master_status',
    'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. \'name\' is the string used to identify the lease.',
    ['name'],
  );
  masterStatus.inc({ name }, 0);
  return { masterStatus };
}

import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A process's metrics registry with the default Node metrics and the service label set. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function httpRequestMetrics(registry: Registry) {
  return {
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by route and status code',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
}

export type HttpRequestMetrics = ReturnType<typeof httpRequestMetrics>;

export function messagingMetrics(registry: Registry) {
  return {
    rpcDuration: new Histogram({
      name: 'np_rpc_client_duration_seconds',
      help: 'Request/reply round trips by pattern and outcome',
      labelNames: ['pattern', 'outcome'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    handled: new Counter({
      name: 'np_messages_handled_total',
      help: 'Messages handled by pattern and outcome',
      labelNames: ['pattern', 'outcome'] as const,
      registers: [registry],
    }),
    published: new Counter({
      name: 'np_events_published_total',
      help: 'Events published (confirmed by the broker) by name',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
  };
}

export type MessagingMetrics = ReturnType<typeof messagingMetrics>;

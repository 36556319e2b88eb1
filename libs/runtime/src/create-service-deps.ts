import { BusClient, RabbitMqTransport, type Transport } from '@np/messaging';
import { createLogger, createMetricsRegistry, type Logger, messagingMetrics } from '@np/observability';
import type { ServiceDeps } from './service-deps.js';

export interface DepsSettings {
  LOG_LEVEL: string;
  NP_TENANT: string;
  NP_AMQP_URL: string;
  NP_AMQP_PREFETCH: number;
  NP_RPC_TIMEOUT_MS: number;
}

/** Logger, metrics and bus client around a given transport (the embedded shape shares one). */
export function createServiceDeps(name: string, settings: Pick<DepsSettings, 'LOG_LEVEL' | 'NP_TENANT' | 'NP_RPC_TIMEOUT_MS'>, transport: Transport, logger?: Logger): ServiceDeps {
  const registry = createMetricsRegistry(name);
  const metrics = messagingMetrics(registry);
  return {
    transport,
    bus: new BusClient(transport, settings.NP_RPC_TIMEOUT_MS, metrics),
    logger: logger ?? createLogger({ service: name, level: settings.LOG_LEVEL, tenant: settings.NP_TENANT }),
    registry,
    metrics,
  };
}

/** The distributed shape: the service's own connection to RabbitMQ. */
export function createRabbitMqDeps(name: string, settings: DepsSettings): ServiceDeps {
  const logger = createLogger({ service: name, level: settings.LOG_LEVEL, tenant: settings.NP_TENANT });
  const transport = new RabbitMqTransport({ url: settings.NP_AMQP_URL, prefetch: settings.NP_AMQP_PREFETCH, logger, connectionName: name });
  return createServiceDeps(name, settings, transport, logger);
}

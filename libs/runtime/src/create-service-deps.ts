import { httpJwksProvider, type JwksProvider, TokenVerifier } from '@np/auth';
import { BusClient, RabbitMqTransport, type Transport } from '@np/messaging';
import { createLogger, createMetricsRegistry, type Logger, messagingMetrics } from '@np/observability';
import type { ServiceDeps } from './service-deps.js';

export interface DepsSettings {
  LOG_LEVEL: string;
  NP_TENANT: string;
  NP_AMQP_URL: string;
  NP_AMQP_PREFETCH: number;
  NP_RPC_TIMEOUT_MS: number;
  /** 0 unless set: requests to a module nobody consumes fail fast. */
  NP_RPC_COLD_START_MS?: number;
  NP_ISSUER: string;
  NP_AUDIENCE: string;
  NP_JWKS_URL: string;
}

export type ServiceDepsSettings = Pick<DepsSettings, 'LOG_LEVEL' | 'NP_TENANT' | 'NP_RPC_TIMEOUT_MS' | 'NP_ISSUER' | 'NP_AUDIENCE' | 'NP_JWKS_URL'>;

export interface ServiceDepsOptions {
  logger?: Logger;
  /** Tests give one that trusts their own keys; otherwise the issuer's keys come from auth or NP_JWKS_URL. */
  verifier?: TokenVerifier;
}

/**
 * Logger, metrics, bus client and token verifier around a given transport. `name` is the
 * service the bus client speaks for (the embedded shape derives one per module with `depsFor`).
 */
export function createServiceDeps(name: string, settings: ServiceDepsSettings, transport: Transport, options: ServiceDepsOptions = {}): ServiceDeps {
  const registry = createMetricsRegistry(name);
  const metrics = messagingMetrics(registry);
  const bus = new BusClient(transport, settings.NP_RPC_TIMEOUT_MS, name, metrics);
  return {
    name,
    transport,
    bus,
    logger: options.logger ?? createLogger({ service: name, level: settings.LOG_LEVEL, tenant: settings.NP_TENANT }),
    registry,
    metrics,
    settings,
    verifier: options.verifier ?? new TokenVerifier({ jwks: jwksProvider(settings, bus), issuer: settings.NP_ISSUER, audience: settings.NP_AUDIENCE, tenant: settings.NP_TENANT }),
  };
}

/** The same process's deps for another service in it (embedded shape): its own bus identity and log context, shared verifier and metrics. */
export function depsFor(deps: ServiceDeps, name: string): ServiceDeps {
  return {
    ...deps,
    name,
    bus: new BusClient(deps.transport, deps.settings.NP_RPC_TIMEOUT_MS, name, deps.metrics),
    logger: deps.logger.child({ module: name }),
  };
}

/** The distributed shape: the service's own connection to RabbitMQ. */
export function createRabbitMqDeps(name: string, settings: DepsSettings): ServiceDeps {
  const logger = createLogger({ service: name, level: settings.LOG_LEVEL, tenant: settings.NP_TENANT });
  const transport = new RabbitMqTransport({
    url: settings.NP_AMQP_URL,
    prefetch: settings.NP_AMQP_PREFETCH,
    coldStartMs: settings.NP_RPC_COLD_START_MS ?? 0,
    logger,
    connectionName: name,
  });
  return createServiceDeps(name, settings, transport, { logger });
}

function jwksProvider(settings: ServiceDepsSettings, bus: BusClient): JwksProvider {
  if (settings.NP_JWKS_URL !== '') return httpJwksProvider(settings.NP_JWKS_URL);
  return () => bus.call('auth.jwks', {});
}

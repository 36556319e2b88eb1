import type { BusModuleName } from '@np/modules';
import type { TokenVerifier } from '@np/auth';

import type { BusClient, Transport } from '@np/messaging';
import type { Logger, MessagingMetrics } from '@np/observability';
import type { Database } from '@np/persistence';
import type { Registry } from 'prom-client';
import type { ServiceDepsSettings } from './create-service-deps.js';

/** What a module service is given by whoever runs it (its own main, or the embedded launcher). */
export interface ServiceDeps {
  /** The service these deps speak for on the bus. */
  name: string;
  transport: Transport;
  bus: BusClient;
  logger: Logger;
  registry: Registry;
  metrics: MessagingMetrics;
  /** Verifies the access tokens that requests forward (one cache per process). */
  verifier: TokenVerifier;
  settings: ServiceDepsSettings;
}

/** What a service that owns data is given on top. */
export interface DataServiceDeps extends ServiceDeps {
  db: Database;
}

export interface ServiceIdentity {
  /** Process/service name used in logs and as the event consumer name, e.g. `users`. */
  name: string;
  module: BusModuleName;
}

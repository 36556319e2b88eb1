import { type ReadinessCheck, startOpsServer } from '@np/observability';
import { createRabbitMqDeps, type DepsSettings } from './create-service-deps.js';
import { closeOnSignals } from './process-lifecycle.js';
import type { ServiceDeps } from './service-deps.js';

export interface RunningService {
  close(): Promise<void>;
  /** Where its data listener answers (a module with stream routes), for the gateway of the same process. */
  dataUrl?: string;
  /** Readiness checks of the service's own dependencies (database, ...). */
  checks?: ReadinessCheck[];
}

/**
 * The `main` of a module service in the distributed shape: connect to RabbitMQ, start the
 * service, expose `/healthz`, `/readyz`, `/metrics` on `NP_OPS_PORT`, close cleanly on signals
 * (bus first, then the service, within `NP_SHUTDOWN_GRACE_MS`).
 */
export async function runDistributed(
  name: string,
  settings: DepsSettings & { NP_OPS_PORT: number; NP_SHUTDOWN_GRACE_MS: number },
  start: (deps: ServiceDeps) => Promise<RunningService>,
): Promise<void> {
  const deps = createRabbitMqDeps(name, settings);
  try {
    await deps.transport.start();
    const service = await start(deps);
    const ops = await startOpsServer({
      port: settings.NP_OPS_PORT,
      registry: deps.registry,
      checks: [{ name: 'bus', check: () => deps.transport.isReady() }, ...(service.checks ?? [])],
    });
    deps.logger.info({ opsPort: ops.server.address() }, `${name} started`);
    closeOnSignals(
      deps.logger,
      [
        // First the bus: it stops taking messages (so /readyz reports the bus down at once) and
        // waits for the handlers in flight to reply and ack; then the service and its database.
        () => deps.transport.close(),
        () => service.close(),
        () => ops.close(),
      ],
      { graceMs: settings.NP_SHUTDOWN_GRACE_MS },
    );
  } catch (error) {
    deps.logger.fatal({ err: error }, `${name} failed to start`);
    await deps.transport.close().catch(() => undefined);
    process.exit(1);
  }
}

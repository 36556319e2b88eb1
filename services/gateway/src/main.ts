import { loadSettingsOrExit } from '@np/config';
import { closeOnSignals, createRabbitMqDeps } from '@np/runtime';
import { gatewaySettingsSchema } from './settings.js';
import { startGateway } from './start-gateway.js';

// The gateway alone, in front of RabbitMQ (distributed and cluster shapes).
const settings = loadSettingsOrExit(gatewaySettingsSchema);
const deps = createRabbitMqDeps('gateway', settings);
try {
  // The gateway serves /healthz and /readyz while the broker is still coming up.
  void deps.transport.start().catch((error: unknown) => {
    deps.logger.error({ err: error }, 'bus not reachable yet; retrying in the background');
  });
  const gateway = await startGateway({ deps, settings });
  // HTTP first (requests in flight finish, new ones get 503 shutting_down), then the bus they used.
  closeOnSignals(deps.logger, [() => gateway.close(), () => deps.transport.close()], { graceMs: settings.NP_SHUTDOWN_GRACE_MS });
} catch (error) {
  deps.logger.fatal({ err: error }, 'gateway failed to start');
  process.exit(1);
}

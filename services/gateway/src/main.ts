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
  closeOnSignals(deps.logger, [() => deps.transport.close(), () => gateway.close()]);
} catch (error) {
  deps.logger.fatal({ err: error }, 'gateway failed to start');
  process.exit(1);
}

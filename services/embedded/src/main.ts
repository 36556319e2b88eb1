import { loadSettingsOrExit } from '@np/config';
import { createLogger } from '@np/observability';
import { closeOnSignals } from '@np/runtime';
import { embeddedSettingsSchema } from './settings.js';
import { startEmbedded } from './start-embedded.js';

// `npm start`: the whole platform in one process, nothing to install beyond `npm ci`.
const settings = loadSettingsOrExit(embeddedSettingsSchema);
const logger = createLogger({ service: 'platform', level: settings.LOG_LEVEL, tenant: settings.NP_TENANT });
try {
  const platform = await startEmbedded(settings);
  logger.info({ url: platform.url, docs: `${platform.url}/docs` }, 'NP Platform is up');
  closeOnSignals(logger, [() => platform.close()], { graceMs: settings.NP_SHUTDOWN_GRACE_MS });
} catch (error) {
  logger.fatal({ err: error }, 'the platform failed to start');
  process.exit(1);
}

import { loadSettingsOrExit } from '@np/config';
import { createLogger } from '@np/observability';
import { startOperator } from './operator.js';
import { operatorSettingsSchema } from './settings.js';

const settings = loadSettingsOrExit(operatorSettingsSchema);
const logger = createLogger({ service: 'operator', level: settings.LOG_LEVEL });

const operator = await startOperator(settings, logger, () => {
  logger.fatal('lost the leader lease; exiting so a fresh process can compete again');
  process.exit(1);
});
operator.leading.catch((error: unknown) => {
  logger.fatal({ err: error }, 'could not start the controller');
  process.exit(1);
});

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  operator.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'error while shutting down');
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);

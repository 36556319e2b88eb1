import type { Logger } from '@np/observability';

type Closer = () => Promise<unknown>;

/**
 * Runs the closers in reverse order of registration on SIGINT/SIGTERM, once, then exits. A
 * closer that fails is logged and the rest still run, so a stuck dependency cannot keep the
 * process alive.
 */
export function closeOnSignals(logger: Logger, closers: Closer[]): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    void runClosers(logger, [...closers].reverse()).then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

async function runClosers(logger: Logger, closers: Closer[]): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
    }
  }
}

import type { Logger } from '@np/observability';

export type Closer = () => Promise<unknown>;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface CloseOnSignalsOptions {
  /** After the first signal the process exits (code 1) once this has passed, whatever is still closing. */
  graceMs: number;
  /** Where signals come from (tests pass an emitter of their own). */
  signals?: Pick<NodeJS.EventEmitter, 'on'>;
  /** How the process ends (tests pass a recorder). */
  exit?: (code: number) => void;
}

/**
 * On the first SIGINT/SIGTERM runs the closers one after another, in the order given (callers
 * list them in the order things must stop: the entry that takes new work first, the database
 * last), then exits 0. A closer that fails is logged and the rest still run. If they have not
 * all finished within the grace period, the process exits 1 anyway, so a hung request or
 * dependency cannot keep it alive. Later signals are logged and ignored: a second Ctrl-C or
 * SIGTERM must not cut the orderly close short, and the grace period already bounds it.
 */
export function closeOnSignals(logger: Logger, closers: readonly Closer[], options: CloseOnSignalsOptions): void {
  const signals = options.signals ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) {
      logger.info({ signal }, 'already shutting down');
      return;
    }
    closing = true;
    logger.info({ signal, graceMs: options.graceMs }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ graceMs: options.graceMs }, 'shutdown grace period over; exiting with work unfinished');
      exit(1);
    }, options.graceMs);
    void runClosers(logger, closers).then(() => {
      clearTimeout(deadline);
      logger.info('shut down cleanly');
      exit(0);
    });
  };
  for (const signal of SIGNALS) signals.on(signal, shutdown);
}

async function runClosers(logger: Logger, closers: readonly Closer[]): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
    }
  }
}

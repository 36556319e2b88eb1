import { pino, type Logger } from 'pino';
import { currentRequestContext } from './request-context.js';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line, wherever they appear. */
const REDACTED_PATHS = [
  'password',
  '*.password',
  'refresh_token',
  '*.refresh_token',
  'access_token',
  '*.access_token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface LoggerOptions {
  service: string;
  level?: string;
  tenant?: string;
}

/** One structured logger per process; every line carries the active request id when there is one. */
export function createLogger(options: LoggerOptions): Logger {
  return pino({
    level: options.level ?? 'info',
    base: { service: options.service, tenant: options.tenant },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    mixin: () => {
      const context = currentRequestContext();
      return context ? { requestId: context.requestId } : {};
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

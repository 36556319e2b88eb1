import type { Logger } from 'pino';

type LogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** Routes NestJS's own log calls into the process's pino logger (structurally a Nest LoggerService). */
export class PinoNestLogger {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    const context = typeof rest.at(-1) === 'string' ? (rest.at(-1) as string) : undefined;
    const fields = { context };
    const text = message instanceof Error ? message.message : String(message);
    switch (level) {
      case 'error':
      case 'fatal':
        this.logger[level]({ ...fields, err: message instanceof Error ? message : undefined }, text);
        return;
      case 'warn':
        this.logger.warn(fields, text);
        return;
      case 'debug':
      case 'verbose':
        this.logger.debug(fields, text);
        return;
      case 'log':
        this.logger.info(fields, text);
        return;
    }
  }
}

import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { type Logger, requestIdFrom } from '@np/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-body.js';
import { toAppError } from './to-app-error.js';

/** The single place where errors become HTTP answers: `{code, message, details?, requestId}`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendError(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception, this.logger);
  }
}

export function sendError(request: FastifyRequest, reply: FastifyReply, exception: unknown, logger: Logger): void {
  const error = toAppError(exception);
  if (error.code === 'internal_error') logger.error({ err: exception, url: request.url }, 'unhandled error');
  if (error.code === 'module_timeout' || error.code === 'module_unavailable') logger.warn({ code: error.code, url: request.url, err: error.cause }, error.message);
  const retryAfter = (error.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  void reply.code(error.status).header('content-type', 'application/json; charset=utf-8').send(errorBody(error, requestIdFrom(request.id)));
}

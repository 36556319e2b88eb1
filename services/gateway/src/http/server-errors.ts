import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from '@np/contracts';
import { type Logger, requestIdFrom } from '@np/observability';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './all-exceptions.filter.js';
import { errorBody } from './error-body.js';

// The errors the HTTP server raises itself, outside the request lifecycle that Nest's
// exception filter sees: they are answered in the same contract, `{code, message, requestId}`
// with the `x-request-id` header.

/**
 * Fastify's `frameworkErrors`: the router refused the URL (a malformed percent-encoding, a path
 * parameter over `maxParamLength`) before any hook ran, so the request id header is set here.
 */
export function frameworkErrorResponder(logger: Logger): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    logger.info({ requestId: request.id, method: request.method, cause: error.code }, 'request refused by the router');
    void reply.header('x-request-id', request.id);
    sendError(request, reply, error, logger);
  };
}

const CLIENT_ERRORS: Record<string, () => AppError> = {
  ERR_HTTP_REQUEST_TIMEOUT: () => new AppError('request_timeout', 'The request was not received in time.'),
  HPE_HEADER_OVERFLOW: () => new AppError('validation_failed', 'The request headers are larger than this API accepts.'),
};

/** What a connection-level failure (Node's HTTP parser or its timers) means for the client. */
function clientErrorToAppError(error: Error & { code?: string }): AppError {
  const mapped = error.code === undefined ? undefined : CLIENT_ERRORS[error.code];
  return mapped?.() ?? new AppError('validation_failed', 'The request is not valid HTTP/1.1.');
}

/**
 * Fastify's `clientErrorHandler`: errors Node raises on a connection before a request reaches
 * Fastify (malformed HTTP, headers too large, a request not received within `requestTimeout`)
 * are answered in the error contract, then the connection is closed. Nothing is written when
 * a response has already started on the socket (as Node itself does), so a client never reads
 * two responses to one request.
 */
export function clientErrorResponder(logger: Logger): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    // Node keeps the response in flight on the socket; it exists once the headers were parsed.
    const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    const requestId = requestIdFrom(inFlight?.req.headers['x-request-id']);
    const appError = clientErrorToAppError(error);
    logger.info({ requestId, code: appError.code, cause: error.code }, 'client error');
    if (socket.writable && inFlight?.headersSent !== true) {
      const body = JSON.stringify(errorBody(appError, requestId));
      socket.write(
        `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status] ?? ''}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${requestId}\r\n` +
          'Cache-Control: no-store\r\n' +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy();
  };
}

import { Readable } from 'node:stream';
import { assertSafeStrings } from '@np/contracts';
import { type HttpRequestMetrics, type Logger, requestIdFrom, runWithRequestContext } from '@np/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimits } from '../security/rate-limits.js';
import { sendError } from './all-exceptions.filter.js';

const UNMETERED = new Set(['/healthz', '/readyz']);

/**
 * Per-request plumbing that must run before Nest: the correlation id (echoed back and carried
 * through every message and log line), `Cache-Control: no-store` on the API (its answers hold
 * tokens and personal data that no shared or browser cache may keep), the per-address budget
 * (checked before the body is read), the refusal of text no service could store (checked on
 * every route before any schema sees it), metrics and an access log line. (Errors Fastify
 * raises itself while reading a declared route's body go to that route's error handler, which
 * answers through the same `sendError`.)
 */
export function registerHttpHooks(app: FastifyInstance, options: { logger: Logger; metrics: HttpRequestMetrics; rateLimits: RateLimits }): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    if (request.url.startsWith('/v1/')) void reply.header('cache-control', 'no-store');
    runWithRequestContext({ requestId: request.id }, () => {
      if (UNMETERED.has(request.url)) {
        done();
        return;
      }
      options.rateLimits.consumeIp(request.ip).then(
        () => {
          done();
        },
        (error: unknown) => {
          sendError(request, reply, error, options.logger);
        },
      );
    });
  });

  app.addHook('preValidation', (request, reply, done) => {
    if (refuseUnsafeText(request, reply, options.logger)) return;
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (!UNMETERED.has(route)) {
      options.metrics.duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
      options.logger.info({ requestId: request.id, method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });
}

/** Answers 400 `validation_failed` when a path parameter, query value or body string holds a NUL or a lone surrogate. */
function refuseUnsafeText(request: FastifyRequest, reply: FastifyReply, logger: Logger): boolean {
  try {
    // A stream route's body is the request stream itself, read by the module it goes to.
    const body = request.body instanceof Readable ? undefined : request.body;
    assertSafeStrings({ params: request.params, query: request.query, body });
    return false;
  } catch (error) {
    sendError(request, reply, error, logger);
    return true;
  }
}

/** Fastify option: take the caller's `x-request-id` when sane, else make one. */
export function genRequestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  return requestIdFrom(request.headers['x-request-id']);
}

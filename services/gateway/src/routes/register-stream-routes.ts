import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import replyFrom from '@fastify/reply-from';
import { AppError, type StreamRouteDeclaration } from '@np/contracts';
import type { Logger } from '@np/observability';
import type { FastifyInstance } from 'fastify';
import { sendError } from '../http/all-exceptions.filter.js';
import type { RouteAccess } from '../security/route-access.js';

export interface StreamRouteDeps {
  access: RouteAccess;
  logger: Logger;
  /** Each module's data listener, e.g. `{ files: 'http://127.0.0.1:9203' }`. */
  upstreams: Readonly<Record<string, string>>;
  /** How long a module may take to answer once the request is sent (an upload: once its last byte is). */
  answerTimeoutMs: number;
}

/**
 * Serves the stream routes (uploads, downloads) as a streaming proxy to each module's data
 * listener: the same access steps as every route (module gate, token, revocation, budgets,
 * policy), then the request's bytes piped to the module as they arrive and its answer piped
 * back, never buffered (undici under @fastify/reply-from). Bodies are left unparsed in this
 * scope: the module reads them. The module verifies the forwarded token again.
 */
export async function registerStreamRoutes(app: FastifyInstance, routes: readonly StreamRouteDeclaration[], deps: StreamRouteDeps): Promise<void> {
  if (routes.length === 0) return;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload: IncomingMessage, done) => {
      done(null, detachable(payload));
    });
    await scope.register(replyFrom, {
      disableRequestLogging: true,
      undici: { connections: 256, pipelining: 1, headersTimeout: deps.answerTimeoutMs, bodyTimeout: deps.answerTimeoutMs },
    });
    for (const declared of routes) {
      const upstream = deps.upstreams[declared.module];
      if (upstream === undefined) throw new Error(`No data listener URL for the ${declared.module} module (its stream route ${declared.path}).`);
      scope.route({
        method: [...declared.methods],
        url: declared.path,
        handler: async (request, reply) => {
          await deps.access.admitStream(declared, request);
          return reply.from(`${upstream}${request.url}`, {
            rewriteRequestHeaders: (_original, headers) => forwardedHeaders(headers, request.id, request.ip),
            // Hop-by-hop: whether the client's connection stays open is the gateway's business.
            rewriteHeaders: (headers) => withoutHeaders(headers, ['connection', 'keep-alive']),
            onError: (_failed, { error }) => {
              sendError(request, reply, proxyError(error), deps.logger);
            },
          });
        },
        errorHandler: (error, request, reply) => {
          sendError(request, reply, error, deps.logger);
        },
      });
    }
  });
}

/** What a failed hop to the module means to the client; the hop's own error is its cause (logged, never sent). */
function proxyError(error: unknown): AppError {
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  const answer = status === 504 ? new AppError('module_timeout', 'The module did not answer in time.') : new AppError('module_unavailable', 'The module is not reachable.');
  answer.cause = error;
  return answer;
}

/**
 * The request body as a stream the proxy may destroy without destroying the connection: a module
 * that answers before reading everything (413 for a file too large) ends the hop, the rest of the
 * body is read and dropped, and the client reads the answer instead of a broken pipe.
 */
function detachable(payload: IncomingMessage): Readable {
  const body = new PassThrough();
  payload.pipe(body);
  body.once('close', () => {
    if (payload.complete) return;
    payload.unpipe(body);
    payload.resume();
  });
  return body;
}

/** The client's headers as the module gets them: the request id and address added; `Expect` answered here (Node sends the 100 Continue). */
function forwardedHeaders(headers: Record<string, string | string[] | undefined>, requestId: string, ip: string): Record<string, string | string[] | undefined> {
  return { ...withoutHeaders(headers, ['expect']), 'x-request-id': requestId, 'x-forwarded-for': ip };
}

function withoutHeaders<H extends Record<string, unknown>>(headers: H, names: readonly string[]): H {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase()))) as H;
}

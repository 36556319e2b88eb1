import { parseOrThrow, type HttpParts, type MessagePattern, type RequestOf, type RouteDeclaration } from '@np/contracts';
import type { BusClient } from '@np/messaging';
import type { Logger } from '@np/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../http/all-exceptions.filter.js';
import type { RouteAccess } from '../security/route-access.js';

export interface RouteRegistrarDeps {
  bus: BusClient;
  access: RouteAccess;
  logger: Logger;
}

/**
 * Serves every declared route the same way, as a plain Fastify route on the instance Nest
 * wraps: access (module gate, token, revocation, user budget, policy), then the declared
 * request parts parsed (400 naming each bad field), then the bus call with the caller's token,
 * then the declared status with the reply (no body for 204). Every error, thrown by a step or
 * raised by Fastify while reading the request, takes the one `sendError` path the exception
 * filter uses too; the hooks (request id, address budget, `no-store`, unsafe text) run before,
 * as for every route.
 */
export function registerRoutes(app: FastifyInstance, routes: readonly RouteDeclaration[], deps: RouteRegistrarDeps): void {
  for (const declared of routes) {
    app.route({
      method: declared.method,
      url: declared.path,
      handler: async (request, reply) => {
        await serve(declared, request, reply, deps);
        return reply;
      },
      // Also what Fastify raises while reading the body (too large, not JSON, wrong media type):
      // a route takes the error handler in force when it is added, and Nest sets its own later.
      errorHandler: (error, request, reply) => {
        sendError(request, reply, error, deps.logger);
      },
    });
  }
}

async function serve(declared: RouteDeclaration, request: FastifyRequest, reply: FastifyReply, deps: RouteRegistrarDeps): Promise<void> {
  const token = await deps.access.admit(declared, request);
  const parts: HttpParts = {
    params: declared.params ? parseOrThrow(declared.params, request.params ?? {}, 'params') : undefined,
    query: declared.query ? parseOrThrow(declared.query, request.query ?? {}, 'query') : undefined,
    body: declared.body ? parseOrThrow(declared.body, request.body ?? {}, 'body') : undefined,
    ...(declared.headers ? { headers: parseOrThrow(declared.headers, request.headers, 'headers') } : {}),
    ip: request.ip,
  };
  // The bus client validates the request against the pattern's schema before it leaves.
  const body = declared.toBus(parts) as RequestOf<MessagePattern>;
  const answer = await deps.bus.call(declared.pattern, body, token === undefined ? {} : { token });
  if (declared.responseHeaders) void reply.headers(declared.responseHeaders(answer));
  if (declared.status === 204) void reply.code(204).send();
  else void reply.code(declared.status).send(answer);
}

import { AppError } from '@np/contracts';
import type { Logger } from '@np/observability';
import type { FastifyInstance } from 'fastify';
import { sendError } from './all-exceptions.filter.js';

export interface DrainOptions {
  logger: Logger;
  /** How long requests in flight may take to finish before their connections are cut. */
  timeoutMs: number;
}

/** Starts draining; resolves once no request is in flight (or the timeout cut the rest off). */
export type Drain = () => Promise<void>;

/** Liveness stays up while draining: the process is healthy, only leaving. */
const LIVENESS = '/healthz';

/**
 * Graceful HTTP shutdown, before the server itself is closed. Once draining, every new request
 * (readiness included, so a load balancer stops sending at once) answers 503 `shutting_down`,
 * every response asks the client to close its connection, idle keep-alive connections are
 * closed, and the returned promise waits for the requests in flight. Fastify's own closing
 * answers 503 in a body of its own, so this runs first and the server is closed after it.
 */
export function registerDrain(app: FastifyInstance, options: DrainOptions): Drain {
  let draining: Promise<void> | undefined;
  let inFlight = 0;
  let onIdle: (() => void) | undefined;

  app.addHook('onRequest', async (request, reply) => {
    if (draining && request.url !== LIVENESS) {
      void reply.header('connection', 'close');
      sendError(request, reply, new AppError('shutting_down', 'The server is shutting down; retry the request.'), options.logger);
      return reply;
    }
    inFlight += 1;
    // 'close' fires once per response, sent or aborted, so the count cannot leak.
    reply.raw.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) onIdle?.();
    });
    return undefined;
  });

  app.addHook('onSend', async (_request, reply) => {
    if (draining) void reply.header('connection', 'close');
  });

  const waitForIdle = (): Promise<boolean> =>
    new Promise((resolve) => {
      if (inFlight === 0) {
        resolve(true);
        return;
      }
      const timer = setTimeout(() => resolve(false), options.timeoutMs);
      onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });

  const drain = async (): Promise<void> => {
    options.logger.info({ inFlight, timeoutMs: options.timeoutMs }, 'draining HTTP: new requests answer 503 shutting_down');
    app.server.closeIdleConnections();
    if (await waitForIdle()) return;
    options.logger.warn({ inFlight }, 'requests still in flight after the drain timeout; closing their connections');
    app.server.closeAllConnections();
  };

  return () => (draining ??= drain());
}

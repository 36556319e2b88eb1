import type { FastifyInstance } from 'fastify';
import { evaluateReadiness, type ReadinessCheck } from './health.js';
import { requestIdFrom } from './request-context.js';

/**
 * `/healthz` and `/readyz` for a public listener (the gateway's API port, where load balancers
 * and kubelets probe). `/readyz` says ready or not and nothing more: which dependency is down,
 * and the metrics, are served on the ops port only (`startOpsServer`).
 */
export function registerPublicProbes(app: FastifyInstance, options: { checks: readonly ReadinessCheck[] }): void {
  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    const { ready } = await evaluateReadiness(options.checks);
    if (ready) return reply.send({ status: 'ready' });
    // Also the error contract's fields, so a client that reads errors one way reads this one too.
    return reply.code(503).send({ status: 'not_ready', code: 'not_ready', message: 'The service is not ready.', requestId: requestIdFrom(request.id) });
  });
}

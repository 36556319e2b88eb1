import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { evaluateReadiness, type ReadinessCheck } from './health.js';

export interface OpsRoutesOptions {
  registry: Registry;
  checks: readonly ReadinessCheck[];
}

/**
 * `/healthz` (the process is alive), `/readyz` (its dependencies answer) and `/metrics`
 * (Prometheus text). Shared by the gateway and every service's own ops port.
 */
export function registerOpsRoutes(app: FastifyInstance, options: OpsRoutesOptions): void {
  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = await evaluateReadiness(options.checks);
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'not_ready', ...report });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', options.registry.contentType).send(await options.registry.metrics()),
  );
}

/** A small HTTP server for a service that has no other HTTP surface (distributed shape). */
export async function startOpsServer(options: OpsRoutesOptions & { port: number; host?: string }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerOpsRoutes(app, options);
  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  return app;
}

import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { evaluateReadiness, type ReadinessCheck } from './health.js';

export interface OpsRoutesOptions {
  registry: Registry;
  checks: readonly ReadinessCheck[];
}

/**
 * `/healthz` (the process is alive), `/readyz` (its dependencies answer, each named) and
 * `/metrics` (Prometheus text): what operators and scrapers read, on a port of its own that is
 * not published to clients.
 */
function registerOpsRoutes(app: FastifyInstance, options: OpsRoutesOptions): void {
  app.get('/healthz', () => Promise.resolve({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const report = await evaluateReadiness(options.checks);
    return reply.code(report.ready ? 200 : 503).send({ status: report.ready ? 'ready' : 'not_ready', ...report });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', options.registry.contentType).send(await options.registry.metrics()),
  );
}

/**
 * Where the ops endpoints listen when the caller does not say: `NP_OPS_HOST` (the operator sets
 * 0.0.0.0 in every pod, so the kubelet's probes reach them on the pod's address), else loopback.
 */
export function defaultOpsHost(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.NP_OPS_HOST?.trim();
  return host === undefined || host === '' ? '127.0.0.1' : host;
}

/** The ops routes on their own HTTP server (every service process, and the gateway beside its API port). */
export async function startOpsServer(options: OpsRoutesOptions & { port: number; host?: string }): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  registerOpsRoutes(app, options);
  await app.listen({ port: options.port, host: options.host ?? defaultOpsHost() });
  return app;
}

/** The port a started Fastify server listens on (the OS's choice when it was asked for 0). */
export function listeningPort(app: FastifyInstance): number {
  const address = app.server.address();
  if (typeof address === 'object' && address !== null) return address.port;
  throw new Error('the server is not listening on a TCP port');
}

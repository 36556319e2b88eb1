import type { ServerOptions } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { registeredRoutes, registeredStreamRoutes, type RouteDeclaration, type StreamRouteDeclaration } from '@np/contracts';
import { httpRequestMetrics, listeningPort, PinoNestLogger, type ReadinessCheck, registerPublicProbes, startOpsServer } from '@np/observability';
import { importModuleContracts, type ServiceDeps } from '@np/runtime';
import { registerDocsRoutes } from './docs/docs.routes.js';
import { buildOpenApiDocument } from './docs/openapi-document.js';
import { GatewayConfig } from './gateway-config.js';
import { GatewayModule } from './gateway.module.js';
import { GatewayFastifyAdapter } from './http/gateway-fastify-adapter.js';
import { registerDrain } from './http/drain.js';
import { genRequestId, registerHttpHooks } from './http/http-hooks.js';
import { corsOptions, SECURITY_HEADERS } from './http/security-headers.js';
import { clientErrorResponder, frameworkErrorResponder } from './http/server-errors.js';
import { registerRoutes } from './routes/register-routes.js';
import { registerStreamRoutes } from './routes/register-stream-routes.js';
import { RateLimits } from './security/rate-limits.js';
import { RouteAccess } from './security/route-access.js';
import { RevocationSync } from './security/revocation-sync.js';
import type { GatewaySettings } from './settings.js';

export interface StartGatewayOptions {
  deps: ServiceDeps;
  settings: GatewaySettings;
  /** What `/readyz` checks besides the bus (the embedded shape adds its database). */
  checks?: ReadinessCheck[];
  /** The routes to serve and document; unless given, those every implemented module declares in its contracts. */
  routes?: readonly RouteDeclaration[];
  /** The stream routes to proxy and document; unless given, those every implemented module declares. */
  streams?: readonly StreamRouteDeclaration[];
  /** Data listeners by module, over the settings' (the embedded shape knows them only once its modules run). */
  dataUrls?: Readonly<Record<string, string>>;
}

export interface RunningGateway {
  url: string;
  /** `/healthz`, `/readyz` with each check's state, and `/metrics`: not for the public. */
  opsUrl: string;
  app: NestFastifyApplication;
  close(): Promise<void>;
}

/** The HTTP entry of the platform: NestJS on Fastify in front of the bus. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { deps, settings } = options;
  const config = new GatewayConfig(settings);
  const rateLimits = new RateLimits(settings.NP_RATE_LIMIT_IP_PER_MINUTE, settings.NP_RATE_LIMIT_USER_PER_MINUTE);
  const revocations = new RevocationSync({ transport: deps.transport, bus: deps.bus, logger: deps.logger });
  const adapter = new GatewayFastifyAdapter(
    {
      bodyLimit: settings.NP_BODY_LIMIT_BYTES,
      trustProxy: settings.NP_TRUST_PROXY,
      genReqId: genRequestId,
      logger: false,
      // A client must send its whole request (headers and body) within this time, or get a 408.
      requestTimeout: settings.NP_HTTP_REQUEST_TIMEOUT_MS,
      http: requestTimeoutOptions(settings.NP_HTTP_REQUEST_TIMEOUT_MS),
      clientErrorHandler: clientErrorResponder(deps.logger),
    },
    frameworkErrorResponder(deps.logger),
  );
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register({ logger: deps.logger }),
    adapter,
    { logger: new PinoNestLogger(deps.logger.child({ component: 'nest' })), abortOnError: false },
  );
  app.useSecurityHeaders(SECURITY_HEADERS);
  if (options.routes === undefined) await importModuleContracts();
  const routes = options.routes ?? registeredRoutes();
  // Given routes (tests) come without the modules' stream routes unless those are given too.
  const streams = options.streams ?? (options.routes === undefined ? registeredStreamRoutes() : []);
  if (settings.NP_CORS_ORIGINS.length > 0) app.enableCors(corsOptions(settings, { routes, streams }));
  const fastify = app.getHttpAdapter().getInstance();
  registerHttpHooks(fastify, { logger: deps.logger, metrics: httpRequestMetrics(deps.registry), rateLimits });
  const drain = registerDrain(fastify, { logger: deps.logger, timeoutMs: settings.NP_SHUTDOWN_GRACE_MS / 2 });
  const checks = [{ name: 'bus', check: () => deps.transport.isReady() }, { name: 'revocations', check: () => revocations.isLoaded() }, ...(options.checks ?? [])];
  registerPublicProbes(fastify, { checks });
  revocations.start();
  const access = new RouteAccess(deps.verifier, rateLimits, config, revocations);
  registerRoutes(fastify, routes, { bus: deps.bus, access, logger: deps.logger });
  await registerStreamRoutes(fastify, streams, {
    access,
    logger: deps.logger,
    upstreams: { ...settings.dataUrls, ...options.dataUrls },
    answerTimeoutMs: settings.NP_HTTP_REQUEST_TIMEOUT_MS + settings.NP_RPC_TIMEOUT_MS,
  });
  await registerDocsRoutes(fastify, buildOpenApiDocument(routes, { title: 'NP Platform API', version: '1' }, streams));
  await app.listen(settings.PORT, settings.HOST);
  const ops = await startOpsServer({ port: settings.NP_OPS_PORT, registry: deps.registry, checks });
  const port = listeningPort(fastify);
  const opsPort = listeningPort(ops);
  deps.logger.info({ port, opsPort, publicUrl: settings.NP_PUBLIC_URL, issuer: settings.NP_ISSUER, modules: settings.NP_MODULES }, 'gateway listening');
  return {
    url: `http://127.0.0.1:${port}`,
    opsUrl: `http://127.0.0.1:${opsPort}`,
    app,
    close: async () => {
      await drain();
      revocations.close();
      await app.close();
      await ops.close();
    },
  };
}

/**
 * Node's own server options for the request timeout. Node only enforces it on a request whose
 * body is still arriving when it is given at construction (Fastify sets it afterwards, which
 * covers the headers only), and checks it on an interval (30 s by default): check often enough
 * that the cut-off comes close to the configured time.
 */
function requestTimeoutOptions(timeoutMs: number): ServerOptions {
  return { requestTimeout: timeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(timeoutMs / 10))) };
}

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { httpJwksProvider, type JwksProvider, TokenVerifier } from '@np/auth';
import { type BusClient } from '@np/messaging';
import { httpRequestMetrics, PinoNestLogger, type ReadinessCheck, registerOpsRoutes } from '@np/observability';
import type { ServiceDeps } from '@np/runtime';
import { registerDocsRoutes } from './docs/docs.routes.js';
import { buildOpenApiDocument } from './docs/openapi-document.js';
import { GatewayConfig } from './gateway-config.js';
import { GATEWAY_CONTROLLERS, GatewayModule } from './gateway.module.js';
import { registerDrain } from './http/drain.js';
import { genRequestId, registerHttpHooks } from './http/http-hooks.js';
import { RateLimits } from './security/rate-limits.js';
import type { GatewaySettings } from './settings.js';

export interface StartGatewayOptions {
  deps: ServiceDeps;
  settings: GatewaySettings;
  /** What `/readyz` checks besides the bus (the embedded shape adds its database). */
  checks?: ReadinessCheck[];
}

export interface RunningGateway {
  url: string;
  app: NestFastifyApplication;
  close(): Promise<void>;
}

/** The HTTP entry of the platform: NestJS on Fastify in front of the bus. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { deps, settings } = options;
  const config = new GatewayConfig(settings);
  const rateLimits = new RateLimits(settings.NP_RATE_LIMIT_IP_PER_MINUTE, settings.NP_RATE_LIMIT_USER_PER_MINUTE);
  const verifier = new TokenVerifier({
    jwks: jwksProviderFor(settings, deps.bus),
    issuer: settings.NP_ISSUER,
    audience: settings.NP_AUDIENCE,
    tenant: settings.NP_TENANT,
  });
  const adapter = new FastifyAdapter({
    bodyLimit: settings.NP_BODY_LIMIT_BYTES,
    trustProxy: settings.NP_TRUST_PROXY,
    genReqId: genRequestId,
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.register({ bus: deps.bus, verifier, rateLimits, config, logger: deps.logger }),
    adapter,
    { logger: new PinoNestLogger(deps.logger.child({ component: 'nest' })), abortOnError: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  registerHttpHooks(fastify, { logger: deps.logger, metrics: httpRequestMetrics(deps.registry), rateLimits });
  const drain = registerDrain(fastify, { logger: deps.logger, timeoutMs: settings.NP_SHUTDOWN_GRACE_MS / 2 });
  if (settings.NP_CORS_ORIGINS.length > 0) app.enableCors({ origin: settings.NP_CORS_ORIGINS, credentials: true });
  registerOpsRoutes(fastify, {
    registry: deps.registry,
    checks: [{ name: 'bus', check: () => deps.transport.isReady() }, ...(options.checks ?? [])],
  });
  await registerDocsRoutes(fastify, buildOpenApiDocument(GATEWAY_CONTROLLERS, { title: 'NP Platform API', version: '1' }));
  await app.listen(settings.PORT, settings.HOST);
  const address = fastify.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.PORT;
  deps.logger.info({ port, modules: settings.NP_MODULES }, 'gateway listening');
  return { url: `http://127.0.0.1:${port}`, app, close: () => drain().then(() => app.close()) };
}

function jwksProviderFor(settings: GatewaySettings, bus: BusClient): JwksProvider {
  if (settings.NP_JWKS_URL !== '') return httpJwksProvider(settings.NP_JWKS_URL);
  return () => bus.call('auth.jwks', {});
}

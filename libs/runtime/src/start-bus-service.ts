import type { DynamicModule, INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BusExceptionFilter, BusServer, type HandlerScope } from '@np/messaging';
import { PinoNestLogger } from '@np/observability';
import type { ServiceDeps, ServiceIdentity } from './service-deps.js';

export interface StartBusServiceOptions extends ServiceIdentity {
  appModule: DynamicModule;
  deps: ServiceDeps;
  /** Wraps each handler call, e.g. `ormScope(db)` for a request-scoped identity map. */
  scope?: HandlerScope;
  /**
   * Runs once the app is initialised and before it consumes: whatever else the module serves
   * (the files module's data listener) is up before the bus tells anyone the module is there.
   */
  beforeListen?: (app: INestMicroservice) => Promise<void>;
}

/**
 * Starts a module as a NestJS microservice on the bus: its `@MessagePattern` handlers answer the
 * module's queue and its `@EventPattern` handlers receive the events they name. The same call
 * runs the module in its own process or beside others in the embedded shape.
 */
export async function startBusService(options: StartBusServiceOptions): Promise<INestMicroservice> {
  const strategy = new BusServer({
    transport: options.deps.transport,
    module: options.module,
    consumer: options.name,
    logger: options.deps.logger,
    metrics: options.deps.metrics,
    verifier: options.deps.verifier,
    ...(options.scope ? { scope: options.scope } : {}),
  });
  const app = await NestFactory.createMicroservice(options.appModule, {
    strategy,
    logger: new PinoNestLogger(options.deps.logger.child({ component: 'nest' })),
  });
  app.useGlobalFilters(new BusExceptionFilter());
  try {
    await app.init();
    await options.beforeListen?.(app);
    await app.listen();
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  options.deps.logger.info({ module: options.module }, 'module listening on the bus');
  return app;
}

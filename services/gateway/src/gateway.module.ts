import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from '@np/observability';
import { AllExceptionsFilter } from './http/all-exceptions.filter.js';

/**
 * Nest hosts the HTTP server: its adapter, security headers, CORS, and the exception filter
 * that answers what Fastify raises itself (body parsing, unknown routes). The API routes are
 * the declared ones (routes/register-routes.ts), not controllers.
 */
@Module({})
export class GatewayModule {
  static register(deps: { logger: Logger }): DynamicModule {
    return {
      module: GatewayModule,
      providers: [{ provide: APP_FILTER, useValue: new AllExceptionsFilter(deps.logger) }],
    };
  }
}

import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TokenVerifier } from '@np/auth';
import { BusClient } from '@np/messaging';
import type { Logger } from '@np/observability';
import { GatewayConfig } from './gateway-config.js';
import { AllExceptionsFilter } from './http/all-exceptions.filter.js';
import { ValidationInterceptor } from './http/validation.interceptor.js';
import { AuthController } from './routes/auth.controller.js';
import { UsersController } from './routes/users.controller.js';
import { WellKnownController } from './routes/well-known.controller.js';
import { AccessGuard } from './security/access.guard.js';
import { RateLimits } from './security/rate-limits.js';
import { RevocationSync } from './security/revocation-sync.js';

export const GATEWAY_CONTROLLERS = [AuthController, UsersController, WellKnownController];

export interface GatewayModuleDeps {
  bus: BusClient;
  verifier: TokenVerifier;
  rateLimits: RateLimits;
  config: GatewayConfig;
  revocations: RevocationSync;
  logger: Logger;
}

@Module({})
export class GatewayModule {
  static register(deps: GatewayModuleDeps): DynamicModule {
    return {
      module: GatewayModule,
      controllers: GATEWAY_CONTROLLERS,
      providers: [
        { provide: BusClient, useValue: deps.bus },
        { provide: TokenVerifier, useValue: deps.verifier },
        { provide: RateLimits, useValue: deps.rateLimits },
        { provide: GatewayConfig, useValue: deps.config },
        { provide: RevocationSync, useValue: deps.revocations },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: ValidationInterceptor },
        { provide: APP_FILTER, useValue: new AllExceptionsFilter(deps.logger) },
      ],
    };
  }
}

import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { hasPermission, TokenVerifier, bearerTokenFrom } from '@np/auth';
import { AppError, type OptionalModule, type Principal } from '@np/contracts';
import type { FastifyRequest } from 'fastify';
import { GatewayConfig } from '../gateway-config.js';
import { RateLimits } from './rate-limits.js';
import { RevocationSync } from './revocation-sync.js';
import { ROUTE_MODULE, ROUTE_POLICY, type RoutePolicy } from './route-policy.js';

export type AuthenticatedRequest = FastifyRequest & { principal?: Principal; accessToken?: string };

/**
 * Runs for every route, in this order: is the module enabled, is the route public, is the token
 * valid and not revoked, is the user within budget, does the policy allow the call. Routes declare their policy
 * with `@Authorize`/`@Public`; a route with neither is refused, so forgetting is safe.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    private readonly rateLimits: RateLimits,
    private readonly config: GatewayConfig,
    private readonly revocations: RevocationSync,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    this.checkModuleEnabled(this.reflector.getAllAndOverride<OptionalModule | undefined>(ROUTE_MODULE, targets));
    const policy = this.reflector.getAllAndOverride<RoutePolicy | undefined>(ROUTE_POLICY, targets);
    if (!policy) throw new AppError('forbidden', 'This route has no access policy.');
    if (policy.public) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerTokenFrom(request.headers.authorization);
    const principal = await this.verifier.verify(token);
    this.revocations.assertNotRevoked(principal);
    await this.rateLimits.consumeUser(principal.sub);
    request.principal = principal;
    request.accessToken = token;
    this.checkPolicy(policy, principal, request);
    return true;
  }

  private checkModuleEnabled(module: OptionalModule | undefined): void {
    if (module && !this.config.enabledModules.has(module)) {
      throw new AppError('module_not_enabled', `The ${module} module is not enabled for this tenant.`);
    }
  }

  private checkPolicy(policy: RoutePolicy, principal: Principal, request: FastifyRequest): void {
    if (policy.allowSelf && (request.params as Record<string, string | undefined>)[policy.allowSelf] === principal.sub) return;
    if (policy.roles && !policy.roles.some((role) => principal.roles.includes(role))) {
      throw new AppError('forbidden', `This route needs one of the roles: ${policy.roles.join(', ')}.`);
    }
    if (policy.permission && !hasPermission(principal, policy.permission)) {
      throw new AppError('forbidden', `This route needs the permission ${policy.permission}.`);
    }
  }
}

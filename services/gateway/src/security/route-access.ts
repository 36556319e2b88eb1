import { bearerTokenFrom, hasPermission, TokenVerifier } from '@np/auth';
import { AppError, type AuthorizedRoutePolicy, isPublicPolicy, moduleOf, type Principal, type RouteDeclaration, type RoutePolicy, type StreamRouteDeclaration } from '@np/contracts';
import { OPTIONAL_MODULE_NAMES, type OptionalModuleName } from '@np/modules';
import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../gateway-config.js';
import type { RateLimits } from './rate-limits.js';
import type { RevocationSync } from './revocation-sync.js';

/**
 * Decides whether a request may reach its route, in this order: is the route's module (the one
 * answering its bus pattern) enabled, is the route public, is the token valid and not revoked,
 * is the user within budget, does the policy allow the call. Answers the verified token to
 * forward with the bus call (the module verifies it again and takes the caller from it), or
 * nothing for a public route.
 */
export class RouteAccess {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly rateLimits: RateLimits,
    private readonly config: GatewayConfig,
    private readonly revocations: RevocationSync,
  ) {}

  admit(route: RouteDeclaration, request: FastifyRequest): Promise<string | undefined> {
    return this.admitTo(moduleOf(route.pattern), route.policy, request);
  }

  /** The same steps for a stream route (its bytes are proxied to the module's data listener). */
  admitStream(route: StreamRouteDeclaration, request: FastifyRequest): Promise<string | undefined> {
    return this.admitTo(route.module, route.policy, request);
  }

  private async admitTo(module: string, policy: RoutePolicy, request: FastifyRequest): Promise<string | undefined> {
    this.checkModuleEnabled(module);
    if (isPublicPolicy(policy)) return undefined;
    const token = bearerTokenFrom(request.headers.authorization);
    const principal = await this.verifier.verify(token);
    this.revocations.assertNotRevoked(principal);
    await this.rateLimits.consumeUser(principal.sub);
    checkPolicy(policy, principal, request.params);
    return token;
  }

  private checkModuleEnabled(module: string): void {
    if (isOptionalModule(module) && !this.config.enabledModules.has(module)) {
      throw new AppError('module_not_enabled', `The ${module} module is not enabled for this tenant.`);
    }
  }
}

function isOptionalModule(module: string): module is OptionalModuleName {
  return (OPTIONAL_MODULE_NAMES as readonly string[]).includes(module);
}

function checkPolicy(policy: AuthorizedRoutePolicy, principal: Principal, params: unknown): void {
  if (policy.allowSelf && (params as Record<string, string | undefined>)[policy.allowSelf] === principal.sub) return;
  if (policy.roles && !policy.roles.some((role) => principal.roles.includes(role))) {
    throw new AppError('forbidden', `This route needs one of the roles: ${policy.roles.join(', ')}.`);
  }
  if (policy.permission && !hasPermission(principal, policy.permission)) {
    throw new AppError('forbidden', `This route needs the permission ${policy.permission}.`);
  }
}

import { SetMetadata, applyDecorators } from '@nestjs/common';
import type { OptionalModule, Role } from '@np/contracts';
import type { Permission } from '@np/auth';

export const ROUTE_POLICY = 'np:route-policy';
export const ROUTE_MODULE = 'np:route-module';

/**
 * Who may call a route. `public` routes need no token. Otherwise the caller needs a valid token
 * and, when given, one of `roles` and the `permission`; `allowSelf` names a route parameter
 * holding a user id: the caller passes when it is their own id even without the permission.
 */
export interface RoutePolicy {
  public?: boolean;
  roles?: readonly Role[];
  permission?: Permission;
  allowSelf?: string;
}

/** The one auth decorator a route carries. */
export function Authorize(policy: Omit<RoutePolicy, 'public'> = {}): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ROUTE_POLICY, policy));
}

export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(ROUTE_POLICY, { public: true } satisfies RoutePolicy));
}

/** Marks a controller as belonging to an optional module; disabled modules answer 404. */
export function ForModule(module: OptionalModule): ClassDecorator {
  return SetMetadata(ROUTE_MODULE, module);
}

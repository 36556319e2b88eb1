import type { ModulePermission } from '@np/modules';
import type { Role } from './common.js';

/** A route anyone may call, without a token. */
export interface PublicRoutePolicy {
  readonly public: true;
}

/**
 * A route that needs a valid, unrevoked access token and, when given, one of `roles` and the
 * `permission`. `allowSelf` names a path parameter holding a user id: the caller passes when it
 * is their own id even without the roles or the permission.
 */
export interface AuthorizedRoutePolicy {
  readonly public?: false;
  readonly roles?: readonly Role[];
  readonly permission?: ModulePermission;
  readonly allowSelf?: string;
}

/** Who may call a route, as plain data: the gateway enforces it, the OpenAPI document shows it. */
export type RoutePolicy = PublicRoutePolicy | AuthorizedRoutePolicy;

export const PUBLIC: PublicRoutePolicy = { public: true };

export function isPublicPolicy(policy: RoutePolicy): policy is PublicRoutePolicy {
  return policy.public === true;
}

import { AppError, type Principal, type Role } from '@np/contracts';
import { hasPermission, type Permission } from '@np/auth';

export const DEFAULT_ROLES: readonly Role[] = ['member'];

/** The caller, or `forbidden` when the message came without one. */
export function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw forbidden();
  return principal;
}

export function requirePermission(principal: Principal | undefined, permission: Permission): Principal {
  const caller = requirePrincipal(principal);
  if (!hasPermission(caller, permission)) throw forbidden();
  return caller;
}

/** Acting on one's own profile needs no permission; on anyone else's it does. */
export function requireSelfOr(principal: Principal | undefined, userId: string, permission: Permission): Principal {
  const caller = requirePrincipal(principal);
  if (caller.sub !== userId && !hasPermission(caller, permission)) throw forbidden();
  return caller;
}

export function sameRoles(left: readonly Role[], right: readonly Role[]): boolean {
  const a = new Set(left);
  const b = new Set(right);
  return a.size === b.size && [...a].every((role) => b.has(role));
}

/** Roles other than the ones a user already has (or the default, for a new user) need `users:assign-roles`. */
export function requireRoleAssignment(principal: Principal | undefined, roles: readonly Role[], current: readonly Role[]): void {
  if (sameRoles(roles, current)) return;
  requirePermission(principal, 'users:assign-roles');
}

function forbidden(): AppError {
  return new AppError('forbidden', 'You are not allowed to do this.');
}

import { AppError, type Principal, type Role, rankOf } from '@np/contracts';
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

/**
 * Nobody may change or delete the account of a user who ranks above them (admin > manager >
 * member): a manager with `users:write` must not be able to set an admin's password.
 */
export function requireNotOutranked(caller: Principal, target: { id: string; roles: readonly Role[] }): void {
  if (caller.sub !== target.id && rankOf(target.roles) > rankOf(caller.roles)) {
    throw new AppError('forbidden', 'You may not change a user whose role ranks above yours.');
  }
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

/** The change leaves no admin: refused, whoever asks, so the tenant can never lock itself out. */
export function requireAnotherAdmin(admins: readonly string[], leaving: string): void {
  if (admins.every((id) => id === leaving)) {
    throw new AppError('last_admin', 'This is the last admin: make someone else an admin first.');
  }
}

function forbidden(): AppError {
  return new AppError('forbidden', 'You are not allowed to do this.');
}

import type { Principal, Role } from '@np/contracts';
import { MODULE_MANIFEST, MODULE_PERMISSIONS, type ModulePermission } from '@np/modules';

/** Per-module permissions, `<module>:<action>`, as the module manifest lists them. Routes ask for these; roles grant them. */
export const PERMISSIONS = MODULE_PERMISSIONS;
export type Permission = ModulePermission;

/**
 * What each role may do, from the module manifest: `admin` everything, `manager` what each module
 * grants it, `member` no module-wide permission (members act on their own profile only; routes
 * mark that with `allowSelf`).
 */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  manager: MODULE_MANIFEST.flatMap((entry): readonly Permission[] => entry.managerPermissions),
  member: [],
};

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role]));
}

export function hasPermission(principal: Pick<Principal, 'roles'>, permission: Permission): boolean {
  return principal.roles.some((role) => ROLE_PERMISSIONS[role].includes(permission));
}

import { randomUUID } from 'node:crypto';
import type UserRepresentation from '@keycloak/keycloak-admin-client/lib/defs/userRepresentation.js';
import { ROLES, type Role } from '@np/contracts';
import type { NewAccount } from '../accounts/account-directory.js';

/**
 * What a platform user is in the realm, and what differs from it: pure functions, so the rules are
 * tested without Keycloak. The realm user signs in with its email (Keycloak's login with email);
 * its username is opaque and fixed at creation, because a realm does not let an administrator
 * change usernames (`editUsernameAllowed` is off by default), while emails change. Its first and
 * last name carry the display name (Keycloak's user profile requires both before a password
 * sign-in, and refuses some characters in them).
 */

/** Characters Keycloak's default `person-name-prohibited-characters` validator refuses. */
const PROHIBITED_IN_NAMES = /[<>&"$%!#?§;*~/\\|^=[\]{}()\p{Cc}]/gu;

/** The display name as Keycloak's first and last name: first word, then the rest (a one-word name is both). */
export function realmNames(displayName: string): { firstName: string; lastName: string } {
  const words = displayName.replace(PROHIBITED_IN_NAMES, ' ').split(/\s+/u).filter((word) => word !== '');
  const [first = 'User', ...rest] = words;
  return { firstName: first, lastName: rest.length > 0 ? rest.join(' ') : first };
}

/** The fields of the realm user the platform owns; `enabled` says whether it may sign in. */
export function realmUserFields(account: NewAccount, enabled: boolean): UserRepresentation {
  return { email: account.email.toLowerCase(), emailVerified: true, enabled, ...realmNames(account.displayName) };
}

/** A new realm user's username: opaque, unique, never changed. */
export function newRealmUsername(): string {
  return `np-${randomUUID()}`;
}

/** The realm user to PUT (what Keycloak holds with the owned fields set), or undefined when it matches. */
export function realmUserUpdate(current: UserRepresentation, desired: UserRepresentation): UserRepresentation | undefined {
  const fields = ['email', 'emailVerified', 'enabled', 'firstName', 'lastName'] as const;
  const differs = fields.some((field) => desired[field] !== undefined && current[field] !== desired[field]);
  // The whole representation goes back: Keycloak's user profile may drop attributes a request leaves out.
  return differs ? { ...current, ...desired } : undefined;
}

/** The platform roles to map and to unmap so that the realm user holds exactly `desired`; other realm roles are left alone. */
export function roleChanges(mapped: readonly string[], desired: readonly Role[]): { add: Role[]; remove: Role[] } {
  return {
    add: desired.filter((role) => !mapped.includes(role)),
    remove: ROLES.filter((role) => mapped.includes(role) && !desired.includes(role)),
  };
}

import type { Role } from '@np/contracts';
import type { UpdateUserRequest } from '../contracts/index.js';
import { sameRoles } from './user-access.js';
import type { UserRecord } from './user-record.js';

export type ProfileChanges = Partial<Pick<UserRecord, 'email' | 'displayName' | 'roles'>>;

/** Only what really differs from `current`, so events name real changes. */
export function profileChanges(current: UserRecord, request: UpdateUserRequest): ProfileChanges {
  const changes: ProfileChanges = {};
  if (request.email !== undefined && request.email !== current.email) changes.email = request.email;
  if (request.displayName !== undefined && request.displayName !== current.displayName) changes.displayName = request.displayName;
  if (request.roles !== undefined && !sameRoles(request.roles, current.roles)) changes.roles = distinctRoles(request.roles);
  return changes;
}

export function distinctRoles(roles: readonly Role[]): Role[] {
  return [...new Set(roles)];
}

import type { Role } from '@np/contracts';
import type { Identity, User } from '../contracts/index.js';

/** A user as the service handles it: the row, without ORM state. */
export interface UserRecord {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  createdAt: Date;
  updatedAt: Date;
}

export function toUser(record: UserRecord): User {
  return {
    id: record.id,
    email: record.email,
    displayName: record.displayName,
    roles: [...record.roles],
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

export function toIdentity(record: UserRecord): Identity {
  return { id: record.id, email: record.email, displayName: record.displayName, roles: [...record.roles] };
}

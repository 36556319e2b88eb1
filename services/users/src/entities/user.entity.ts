import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';
import type { Role } from '@np/contracts';

/** A user profile; the table lives in the service's own schema (set by `openDatabase`). */
export const UserEntity = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    email: p.text().unique('users_email_unique'),
    displayName: p.text().fieldName('display_name'),
    roles: p.array<Role>().columnType('text[]'),
    createdAt: p.datetime().columnType('timestamptz').fieldName('created_at'),
    updatedAt: p.datetime().columnType('timestamptz').fieldName('updated_at'),
  },
});

export type UserEntityType = InferEntity<typeof UserEntity>;

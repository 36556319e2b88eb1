import { z } from 'zod';
import { emailSchema, passwordSchema, roleSchema } from '@np/contracts';

const displayNameSchema = z.string().trim().min(1).max(200);

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(roleSchema),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type User = z.infer<typeof userSchema>;

export const createUserRequestSchema = z.strictObject({
  email: emailSchema,
  displayName: displayNameSchema,
  password: passwordSchema.optional(),
  roles: z.array(roleSchema).max(3).optional(),
});
export type CreateUserRequest = z.infer<typeof createUserRequestSchema>;

export const updateUserRequestSchema = z
  .strictObject({
    email: emailSchema.optional(),
    displayName: displayNameSchema.optional(),
    password: passwordSchema.optional(),
    roles: z.array(roleSchema).max(3).optional(),
    /** Required when users change their own password or email. */
    currentPassword: z.string().min(1).max(256).optional(),
  })
  .refine((value) => Object.keys(value).some((key) => key !== 'currentPassword'), { message: 'At least one field must be given.' });
export type UpdateUserRequest = z.infer<typeof updateUserRequestSchema>;

export const userIdParamsSchema = z.strictObject({ id: z.uuid() });

export const listUsersQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  q: z.string().trim().max(200).optional(),
});
export type ListUsersQuery = z.infer<typeof listUsersQuerySchema>;

export const userListSchema = z.object({
  items: z.array(userSchema),
  nextCursor: z.string().nullable(),
});
export type UserList = z.infer<typeof userListSchema>;

/** Bus commands: the gateway's validated request plus the id the route named. */
export const getUserCommandSchema = z.strictObject({ id: z.uuid() });
export const updateUserCommandSchema = z.strictObject({ id: z.uuid(), changes: updateUserRequestSchema });
export const deleteUserCommandSchema = getUserCommandSchema;
export const findIdentityByEmailCommandSchema = z.strictObject({ email: emailSchema });

/** What auth needs to know to issue a token for a user. */
export const identitySchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(roleSchema),
});
export type Identity = z.infer<typeof identitySchema>;

/** Domain events published by the users module. */
export const userCreatedEventSchema = z.object({ user: userSchema });
export const userUpdatedEventSchema = z.object({
  user: userSchema,
  changed: z.array(z.string()),
  /**
   * Sessions the identity provider ended with this change (a password change kept by Keycloak):
   * auth revokes their access tokens. Absent when auth ended them itself (the embedded issuer).
   */
  endedSessions: z.array(z.string().min(1).max(200)).max(1000).optional(),
});
export const userDeletedEventSchema = z.object({ id: z.uuid(), email: z.string() });

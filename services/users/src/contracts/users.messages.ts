import { internalMessage, message } from '@np/contracts';
import { z } from 'zod';
import * as users from './users.schemas.js';

const ok = z.object({ ok: z.literal(true) });

/** The users module's bus patterns; `users.identity.*` serve auth's sign-in only. */
export const USERS_MESSAGES = {
  'users.create': message(users.createUserRequestSchema, users.userSchema),
  'users.get': message(users.getUserCommandSchema, users.userSchema),
  'users.update': message(users.updateUserCommandSchema, users.userSchema),
  'users.delete': message(users.deleteUserCommandSchema, ok),
  'users.list': message(users.listUsersQuerySchema, users.userListSchema),
  'users.identity.by-email': internalMessage(['auth'], users.findIdentityByEmailCommandSchema, users.identitySchema),
  'users.identity.by-id': internalMessage(['auth'], users.getUserCommandSchema, users.identitySchema),
} as const;

/** The events users publishes: every change of a user, for the modules that keep a copy. */
export const USERS_EVENTS = {
  'users.user.created': users.userCreatedEventSchema,
  'users.user.updated': users.userUpdatedEventSchema,
  'users.user.deleted': users.userDeletedEventSchema,
} as const;

type UsersMessages = typeof USERS_MESSAGES;
type UsersEvents = typeof USERS_EVENTS;

declare module '@np/contracts' {
  interface MessageContracts extends UsersMessages {}
  interface EventContracts extends UsersEvents {}
}

import type { z } from 'zod';
import * as auth from './auth.js';
import type { ServiceName } from './common.js';
import * as users from './users.js';
import { z as zod } from 'zod';
import { BUS_MODULE_NAMES, OPTIONAL_MODULE_NAMES, type BusModuleName, type ModuleEvent, type OptionalModuleName } from '@np/modules';

/**
 * Every request/reply message: its pattern, the module that answers it, and the schemas of its
 * request and reply. Sender and receiver validate against the same entry. `callers` marks an
 * internal pattern: only those services may send it (the receiver checks the sender's identity,
 * which RabbitMQ vouches for); without it any service may, and the caller's rights come from the
 * access token it forwards.
 */
export interface MessageContract<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  module: ModuleName;
  request: Req;
  reply: Res;
  callers?: readonly ServiceName[];
}

/** Modules that answer on the bus, from the module manifest (@np/modules). */
export const MODULES = BUS_MODULE_NAMES;
export type ModuleName = BusModuleName;

/** Modules a deployment may switch on or off; auth (like the gateway) is always on. */
export const OPTIONAL_MODULES = OPTIONAL_MODULE_NAMES;
export type OptionalModule = OptionalModuleName;

const empty = zod.strictObject({});
const ok = zod.object({ ok: zod.literal(true) });

function contract<Req extends z.ZodType, Res extends z.ZodType>(
  module: ModuleName,
  request: Req,
  reply: Res,
): MessageContract<Req, Res> {
  return { module, request, reply };
}

/** A pattern only the named services may send. */
function internal<Req extends z.ZodType, Res extends z.ZodType>(
  callers: readonly ServiceName[],
  module: ModuleName,
  request: Req,
  reply: Res,
): MessageContract<Req, Res> {
  return { module, request, reply, callers };
}

export const MESSAGES = {
  'auth.login': contract('auth', auth.loginCommandSchema, auth.tokenPairSchema),
  'auth.refresh': contract('auth', auth.refreshRequestSchema, auth.tokenPairSchema),
  'auth.logout': contract('auth', auth.logoutRequestSchema, ok),
  'auth.me': contract('auth', empty, auth.meResponseSchema),
  'auth.jwks': contract('auth', empty, auth.jwksSchema),
  'auth.discovery': contract('auth', empty, auth.discoveryDocumentSchema),
  'auth.credentials.set': internal(['users'], 'auth', auth.setCredentialsCommandSchema, ok),
  'auth.credentials.verify': internal(['users'], 'auth', auth.verifyCredentialsCommandSchema, ok),
  'auth.revocations.list': internal(['gateway'], 'auth', empty, auth.revocationsSchema),
  'users.create': contract('users', users.createUserRequestSchema, users.userSchema),
  'users.get': contract('users', users.getUserCommandSchema, users.userSchema),
  'users.update': contract('users', users.updateUserCommandSchema, users.userSchema),
  'users.delete': contract('users', users.deleteUserCommandSchema, ok),
  'users.list': contract('users', users.listUsersQuerySchema, users.userListSchema),
  'users.identity.by-email': internal(['auth'], 'users', users.findIdentityByEmailCommandSchema, users.identitySchema),
  'users.identity.by-id': internal(['auth'], 'users', users.getUserCommandSchema, users.identitySchema),
} as const;

export type MessagePattern = keyof typeof MESSAGES;
export type RequestOf<P extends MessagePattern> = z.input<(typeof MESSAGES)[P]['request']>;
export type ParsedRequestOf<P extends MessagePattern> = z.output<(typeof MESSAGES)[P]['request']>;
export type ReplyOf<P extends MessagePattern> = z.output<(typeof MESSAGES)[P]['reply']>;

export const EVENTS = {
  'users.user.created': users.userCreatedEventSchema,
  'users.user.updated': users.userUpdatedEventSchema,
  'users.user.deleted': users.userDeletedEventSchema,
  'auth.session.revoked': auth.revokedSessionSchema,
  'auth.user.tokens-revoked': auth.userTokenCutoffSchema,
  // Exactly the events the manifest says the modules publish.
} as const satisfies Record<ModuleEvent, z.ZodType>;

export type EventName = keyof typeof EVENTS;
export type EventPayloadOf<E extends EventName> = z.output<(typeof EVENTS)[E]>;

export function moduleOf(pattern: MessagePattern): ModuleName {
  return MESSAGES[pattern].module;
}

export function isMessagePattern(value: string): value is MessagePattern {
  return Object.hasOwn(MESSAGES, value);
}


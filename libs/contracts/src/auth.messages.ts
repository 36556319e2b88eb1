import { z } from 'zod';
import * as auth from './auth.js';
import { internalMessage, message } from './module-contracts.js';

const empty = z.strictObject({});
const ok = z.object({ ok: z.literal(true) });

/** The auth module's bus patterns. */
export const AUTH_MESSAGES = {
  'auth.login': message(auth.loginCommandSchema, auth.tokenPairSchema),
  'auth.refresh': message(auth.refreshRequestSchema, auth.tokenPairSchema),
  'auth.logout': message(auth.logoutRequestSchema, ok),
  'auth.me': message(empty, auth.meResponseSchema),
  'auth.jwks': message(empty, auth.jwksSchema),
  'auth.discovery': message(empty, auth.discoveryDocumentSchema),
  'auth.credentials.set': internalMessage(['users'], auth.setCredentialsCommandSchema, ok),
  'auth.credentials.verify': internalMessage(['users'], auth.verifyCredentialsCommandSchema, ok),
  'auth.revocations.list': internalMessage(['gateway'], empty, auth.revocationsSchema),
} as const;

/** The events auth publishes: revocations, which every gateway replica applies. */
export const AUTH_EVENTS = {
  'auth.session.revoked': auth.revokedSessionSchema,
  'auth.user.tokens-revoked': auth.userTokenCutoffSchema,
} as const;

type AuthMessages = typeof AUTH_MESSAGES;
type AuthEvents = typeof AUTH_EVENTS;

declare module './module-contracts.js' {
  interface MessageContracts extends AuthMessages {}
  interface EventContracts extends AuthEvents {}
}

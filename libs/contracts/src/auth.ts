import { z } from 'zod';
import { emailSchema, roleSchema } from './common.js';

export const loginRequestSchema = z.strictObject({
  email: emailSchema,
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const tokenPairSchema = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int().positive(),
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

export const refreshRequestSchema = z.strictObject({
  // Ours are 43 characters; an external issuer's are JWTs (a Keycloak realm's: about 800).
  refresh_token: z.string().min(1).max(4096),
});
export type RefreshRequest = z.infer<typeof refreshRequestSchema>;

export const logoutRequestSchema = refreshRequestSchema;
export type LogoutRequest = RefreshRequest;

export const meResponseSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  roles: z.array(roleSchema),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

/** The request a login carries over the bus: the gateway adds the caller's address for throttling. */
export const loginCommandSchema = loginRequestSchema.extend({ ip: z.string().max(64) });
export type LoginCommand = z.infer<typeof loginCommandSchema>;

export const setCredentialsCommandSchema = z.strictObject({
  userId: z.uuid(),
  password: z.string().min(8).max(256),
  /** The session that made the change survives it; every other session of the user is revoked. Absent: all are revoked. */
  keepSessionId: z.string().min(1).max(200).optional(),
});
export type SetCredentialsCommand = z.infer<typeof setCredentialsCommandSchema>;

/** Checks a user's current password (before a change of password or email); answers 403 current_password_invalid. */
export const verifyCredentialsCommandSchema = z.strictObject({
  userId: z.uuid(),
  password: z.string().min(1).max(256),
});
export type VerifyCredentialsCommand = z.infer<typeof verifyCredentialsCommandSchema>;

/** A session whose access tokens are refused until they would have expired anyway. */
export const revokedSessionSchema = z.object({ sessionId: z.string(), userId: z.uuid(), expiresAt: z.iso.datetime() });
export type RevokedSession = z.infer<typeof revokedSessionSchema>;

/** Every access token of the user issued before `notBefore` is refused (deletion, role change). */
export const userTokenCutoffSchema = z.object({ userId: z.uuid(), notBefore: z.iso.datetime(), expiresAt: z.iso.datetime() });
export type UserTokenCutoff = z.infer<typeof userTokenCutoffSchema>;

/** What a gateway loads at start (and after reconnecting) before it trusts the revocation events it receives. */
export const revocationsSchema = z.object({
  sessions: z.array(revokedSessionSchema),
  users: z.array(userTokenCutoffSchema),
});
export type Revocations = z.infer<typeof revocationsSchema>;

/** A JSON Web Key Set, as served at the issuer's `jwks_uri`. */
export const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });
export type Jwks = z.infer<typeof jwksSchema>;

/**
 * The OpenID Connect discovery document: the fields every issuer of the platform publishes. Loose,
 * so an external issuer's document (a Keycloak realm's, with its authorization endpoint and PKCE
 * methods) reaches clients whole.
 */
export const discoveryDocumentSchema = z.looseObject({
  issuer: z.string(),
  jwks_uri: z.string(),
  token_endpoint: z.string(),
  userinfo_endpoint: z.string(),
  revocation_endpoint: z.string(),
  grant_types_supported: z.array(z.string()),
  response_types_supported: z.array(z.string()),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
  token_endpoint_auth_methods_supported: z.array(z.string()),
  claims_supported: z.array(z.string()),
});
export type DiscoveryDocument = z.infer<typeof discoveryDocumentSchema>;

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
  refresh_token: z.string().min(1).max(512),
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
});
export type SetCredentialsCommand = z.infer<typeof setCredentialsCommandSchema>;

/** A JSON Web Key Set, as served at the issuer's `jwks_uri`. */
export const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) });
export type Jwks = z.infer<typeof jwksSchema>;

/** The OpenID Connect discovery document (the fields this issuer supports). */
export const discoveryDocumentSchema = z.object({
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

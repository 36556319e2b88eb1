import { busSettingsSchema, databaseSettingsSchema, identityProviderSettingsSchema, positiveInt, processSettingsSchema, requiredWithKeycloak, withIssuer } from '@np/config';
import { z } from 'zod';
import { encryptionKeyProblem } from './keys/private-key-sealing.js';

const DAY_SECONDS = 24 * 60 * 60;

/** Settings of the auth module: the identity provider, token lifetimes, issuer identity and login throttling. */
export const authSettingsSchema = z.object({
  ...processSettingsSchema.shape,
  ...busSettingsSchema.shape,
  ...databaseSettingsSchema.shape,
  ...identityProviderSettingsSchema.shape,
  /** The realm's confidential client whose direct grant backs `/v1/auth/login` (keycloak provider). */
  NP_KEYCLOAK_CLIENT_ID: z.string().min(1).default('gateway'),
  NP_KEYCLOAK_CLIENT_SECRET: z.string().min(1).optional(),
  NP_AUTH_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('auth'),
  NP_ACCESS_TOKEN_TTL_SECONDS: positiveInt(900),
  NP_REFRESH_TOKEN_TTL_SECONDS: positiveInt(30 * DAY_SECONDS),
  /** A refresh token presented again this soon after its rotation (two tabs at once) gets the same successor instead of revoking the session. */
  NP_REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(10),
  // Login throttling (rules in throttle/throttle-rules.ts): failures allowed in the window per
  // account from one address, per address, and per account from all addresses together.
  NP_LOGIN_MAX_FAILURES: positiveInt(5),
  NP_LOGIN_MAX_FAILURES_PER_IP: positiveInt(50),
  NP_LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(100),
  NP_LOGIN_FAILURE_WINDOW_SECONDS: positiveInt(900),
  NP_SIGNING_KEY_CACHE_SECONDS: positiveInt(60),
  /** Encrypts the signing private keys at rest; required in every environment (secrets belong in the environment). */
  NP_SIGNING_KEY_ENCRYPTION_KEY: z
    .string({ error: 'required: a 256-bit key, base64url-encoded (e.g. `openssl rand 32 | basenc --base64url`)' })
    .superRefine((value, context) => {
      const problem = encryptionKeyProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
})
  .superRefine(requiredWithKeycloak(['NP_KEYCLOAK_URL', 'NP_KEYCLOAK_REALM', 'NP_KEYCLOAK_CLIENT_SECRET']))
  .transform((settings) => withIssuer(settings));

export type AuthSettings = z.output<typeof authSettingsSchema>;
export type AuthSettingsInput = z.input<typeof authSettingsSchema>;

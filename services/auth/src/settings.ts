import { busSettingsSchema, databaseSettingsSchema, positiveInt, processSettingsSchema, url } from '@np/config';
import { z } from 'zod';
import { encryptionKeyProblem } from './keys/private-key-sealing.js';

const DAY_SECONDS = 24 * 60 * 60;

/** Settings of the auth module: token lifetimes, issuer identity and login throttling. */
export const authSettingsSchema = z.object({
  ...processSettingsSchema.shape,
  ...busSettingsSchema.shape,
  ...databaseSettingsSchema.shape,
  NP_AUTH_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('auth'),
  NP_ISSUER: url(['http', 'https'])
    .default('http://localhost:3000')
    .transform((value) => value.replace(/\/+$/, '')),
  NP_AUDIENCE: z.string().min(1).default('np-api'),
  NP_ACCESS_TOKEN_TTL_SECONDS: positiveInt(900),
  NP_REFRESH_TOKEN_TTL_SECONDS: positiveInt(30 * DAY_SECONDS),
  NP_LOGIN_MAX_FAILURES: positiveInt(5),
  NP_LOGIN_MAX_FAILURES_PER_IP: positiveInt(50),
  NP_LOGIN_FAILURE_WINDOW_SECONDS: positiveInt(900),
  NP_SIGNING_KEY_CACHE_SECONDS: positiveInt(60),
  /** Encrypts the signing private keys at rest; required in every environment (secrets belong in the environment). */
  NP_SIGNING_KEY_ENCRYPTION_KEY: z
    .string({ error: 'required: a 256-bit key, base64url-encoded (e.g. `openssl rand 32 | basenc --base64url`)' })
    .superRefine((value, context) => {
      const problem = encryptionKeyProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
});

export type AuthSettings = z.output<typeof authSettingsSchema>;
export type AuthSettingsInput = z.input<typeof authSettingsSchema>;

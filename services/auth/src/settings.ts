import { busSettingsSchema, databaseSettingsSchema, positiveInt, processSettingsSchema, url } from '@np/config';
import { z } from 'zod';

const DAY_SECONDS = 24 * 60 * 60;

/** Settings of the auth module: token lifetimes, issuer identity and login throttling. */
export const authSettingsSchema = z.object({
  ...processSettingsSchema.shape,
  ...busSettingsSchema.shape,
  ...databaseSettingsSchema.shape,
  NP_AUTH_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier').default('auth'),
  /** Where clients reach the gateway; the discovery document's endpoints live under it. */
  NP_PUBLIC_URL: url(['http', 'https']).transform(withoutTrailingSlash).optional(),
  /** The `iss` of issued tokens; default: NP_PUBLIC_URL, else `http://localhost:3000`. */
  NP_ISSUER: url(['http', 'https']).transform(withoutTrailingSlash).optional(),
  NP_AUDIENCE: z.string().min(1).default('np-api'),
  NP_ACCESS_TOKEN_TTL_SECONDS: positiveInt(900),
  NP_REFRESH_TOKEN_TTL_SECONDS: positiveInt(30 * DAY_SECONDS),
  NP_LOGIN_MAX_FAILURES: positiveInt(5),
  NP_LOGIN_MAX_FAILURES_PER_IP: positiveInt(50),
  NP_LOGIN_FAILURE_WINDOW_SECONDS: positiveInt(900),
  NP_SIGNING_KEY_CACHE_SECONDS: positiveInt(60),
}).transform(withIssuerDefault);

function withoutTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

/**
 * The issuer defaults to the public URL, as in the gateway. The gateway's public URL itself
 * defaults to `http://localhost:<PORT>`; auth has no port, so processes that run apart are given
 * NP_PUBLIC_URL (or NP_ISSUER) alike (tools/start-distributed.sh does).
 */
function withIssuerDefault<T extends { NP_PUBLIC_URL?: string | undefined; NP_ISSUER?: string | undefined }>(settings: T): T & { NP_PUBLIC_URL: string; NP_ISSUER: string } {
  const issuer = settings.NP_ISSUER ?? settings.NP_PUBLIC_URL ?? 'http://localhost:3000';
  return { ...settings, NP_ISSUER: issuer, NP_PUBLIC_URL: settings.NP_PUBLIC_URL ?? issuer };
}

export type AuthSettings = z.output<typeof authSettingsSchema>;
export type AuthSettingsInput = z.input<typeof authSettingsSchema>;

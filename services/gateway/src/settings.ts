import { OPTIONAL_MODULES } from '@np/contracts';
import { bool, busSettingsSchema, list, port, positiveInt, processSettingsSchema, url } from '@np/config';
import { z } from 'zod';

const withoutTrailingSlash = (value: string) => value.replace(/\/+$/, '');

export const gatewaySettingsSchema = processSettingsSchema
  .extend(busSettingsSchema.shape)
  .extend({
    PORT: port(3000),
    HOST: z.string().default('127.0.0.1'),
    /** Where clients reach this gateway (behind a proxy: the proxy's URL); default `http://localhost:<PORT>`. */
    NP_PUBLIC_URL: url(['http', 'https']).transform(withoutTrailingSlash).optional(),
    /** Optional modules this deployment serves; routes of the others answer 404 module_not_enabled. */
    NP_MODULES: list(z.enum(OPTIONAL_MODULES), 'users'),
    /** The `iss` tokens must carry; default: the public URL (the embedded issuer lives behind this gateway). */
    NP_ISSUER: url(['http', 'https']).transform(withoutTrailingSlash).optional(),
    NP_AUDIENCE: z.string().default('np-api'),
    /** An external issuer's JWKS (e.g. a Keycloak realm); empty: keys come from the auth module. */
    NP_JWKS_URL: z.string().default(''),
    NP_CORS_ORIGINS: list(z.string(), ''),
    /** Whether browsers may send cookies or HTTP auth cross-origin; the API itself uses bearer tokens. */
    NP_CORS_CREDENTIALS: bool(false),
    NP_BODY_LIMIT_BYTES: positiveInt(1024 * 1024),
    /** How long a client may take to send a whole request (headers and body) before a 408. */
    NP_HTTP_REQUEST_TIMEOUT_MS: positiveInt(30_000),
    NP_RATE_LIMIT_IP_PER_MINUTE: positiveInt(1200),
    NP_RATE_LIMIT_USER_PER_MINUTE: positiveInt(600),
    NP_TRUST_PROXY: bool(false),
  })
  .transform((settings) => {
    const publicUrl = settings.NP_PUBLIC_URL ?? `http://localhost:${settings.PORT}`;
    return { ...settings, NP_PUBLIC_URL: publicUrl, NP_ISSUER: settings.NP_ISSUER ?? publicUrl };
  });

export type GatewaySettings = z.output<typeof gatewaySettingsSchema>;

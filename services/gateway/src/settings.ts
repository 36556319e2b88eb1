import { OPTIONAL_MODULE_NAMES } from '@np/modules';
import { bool, busSettingsSchema, list, port, positiveInt, processSettingsSchema, withIssuer } from '@np/config';
import { z } from 'zod';

export const gatewaySettingsSchema = processSettingsSchema
  .extend(busSettingsSchema.shape)
  .extend({
    PORT: port(3000),
    HOST: z.string().default('127.0.0.1'),
    /** Optional modules this deployment serves; routes of the others answer 404 module_not_enabled. */
    NP_MODULES: list(z.enum(OPTIONAL_MODULE_NAMES), 'users'),
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
  .transform((settings) => withIssuer(settings, settings.PORT));

export type GatewaySettings = z.output<typeof gatewaySettingsSchema>;

import { OPTIONAL_MODULES } from '@np/contracts';
import { bool, busSettingsSchema, list, port, positiveInt, processSettingsSchema } from '@np/config';
import { z } from 'zod';

export const gatewaySettingsSchema = processSettingsSchema.extend(busSettingsSchema.shape).extend({
  PORT: port(3000),
  HOST: z.string().default('127.0.0.1'),
  /** Optional modules this deployment serves; routes of the others answer 404 module_not_enabled. */
  NP_MODULES: list(z.enum(OPTIONAL_MODULES), 'users'),
  NP_ISSUER: z.string().default('http://localhost:3000'),
  NP_AUDIENCE: z.string().default('np-api'),
  /** An external issuer's JWKS (e.g. a Keycloak realm); empty: keys come from the auth module. */
  NP_JWKS_URL: z.string().default(''),
  NP_CORS_ORIGINS: list(z.string(), ''),
  NP_BODY_LIMIT_BYTES: positiveInt(1024 * 1024),
  NP_RATE_LIMIT_IP_PER_MINUTE: positiveInt(1200),
  NP_RATE_LIMIT_USER_PER_MINUTE: positiveInt(600),
  NP_TRUST_PROXY: bool(false),
});

export type GatewaySettings = z.output<typeof gatewaySettingsSchema>;

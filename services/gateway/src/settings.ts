import { DATA_LISTENERS, OPTIONAL_MODULE_NAMES } from '@np/modules';
import { bool, busSettingsSchema, list, port, positiveInt, processSettingsSchema, url, withIssuer } from '@np/config';
import { z } from 'zod';

/** Where each module with stream routes has its data listener (`NP_FILES_URL`, ...): on loopback at its manifest port unless set. */
// Typed as no fields: their names come from the manifest, and `dataUrls` is how the gateway reads them.
const dataListenerUrls = Object.fromEntries(
  DATA_LISTENERS.map((listener) => [listener.urlSetting, url(['http', 'https']).default(`http://127.0.0.1:${String(listener.localPort)}`)]),
) as Record<never, never>;

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
  .extend(dataListenerUrls)
  .transform((settings) => ({ ...withIssuer(settings, settings.PORT), dataUrls: dataUrlsOf(settings as Record<string, unknown>) }));

function dataUrlsOf(settings: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(DATA_LISTENERS.map((listener) => [listener.name, String(settings[listener.urlSetting] as string).replace(/\/+$/, '')]));
}

export type GatewaySettings = z.output<typeof gatewaySettingsSchema>;

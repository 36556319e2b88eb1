import { z } from 'zod';
import { logLevel, port, positiveInt, url } from './fields.js';

/** Settings every process reads: where it logs, which tenant it serves, where its ops endpoints listen. */
export const processSettingsSchema = z.object({
  NP_ENV: z.string().default('development'),
  NP_TENANT: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label').default('default'),
  LOG_LEVEL: logLevel,
  NP_OPS_PORT: port(0),
  /** After SIGTERM/SIGINT the process drains and closes in order, and exits anyway once this has passed. */
  NP_SHUTDOWN_GRACE_MS: positiveInt(10_000),
});

/**
 * Settings of the message bus, needed by every process in the distributed shape. Every process
 * on the bus verifies the access tokens requests forward, so the issuer's identity is here too.
 */
export const busSettingsSchema = z.object({
  NP_AMQP_URL: url(['amqp', 'amqps']).default('amqp://np:np@127.0.0.1:5672/np'),
  NP_RPC_TIMEOUT_MS: positiveInt(5000),
  /**
   * How long a request waits in a module's queue while nobody consumes it (replaced or sleeping
   * pods, the cluster shape); 0: it fails fast with `module_unavailable`.
   */
  NP_RPC_COLD_START_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  NP_AMQP_PREFETCH: positiveInt(32),
  /** Where clients reach the gateway (behind a proxy: the proxy's URL); default `http://localhost:<gateway PORT>`. */
  NP_PUBLIC_URL: url(['http', 'https']).transform(withoutTrailingSlash).optional(),
  /** The `iss` access tokens carry; default: the public URL (the embedded issuer lives behind the gateway). */
  NP_ISSUER: url(['http', 'https']).transform(withoutTrailingSlash).optional(),
  NP_AUDIENCE: z.string().min(1).default('np-api'),
  /** An external issuer's JWKS (e.g. a Keycloak realm); empty: keys come from the auth module over the bus. */
  NP_JWKS_URL: z.string().default(''),
});

function withoutTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

const DEFAULT_GATEWAY_PORT = 3000;

/**
 * Fills in the public URL and the issuer the same way in every process: the issuer defaults to
 * the public URL, which defaults to `http://localhost:<gateway port>`. Only the gateway knows its
 * port; processes that run apart from it are given NP_PUBLIC_URL (or NP_ISSUER) alike.
 */
export function withIssuer<T extends { NP_PUBLIC_URL?: string | undefined; NP_ISSUER?: string | undefined }>(
  settings: T,
  gatewayPort: number = DEFAULT_GATEWAY_PORT,
): T & { NP_PUBLIC_URL: string; NP_ISSUER: string } {
  const publicUrl = settings.NP_PUBLIC_URL ?? (settings.NP_ISSUER === undefined ? `http://localhost:${gatewayPort}` : settings.NP_ISSUER);
  return { ...settings, NP_PUBLIC_URL: publicUrl, NP_ISSUER: settings.NP_ISSUER ?? publicUrl };
}

/** Settings of a PostgreSQL connection, needed by every process that owns data. */
export const databaseSettingsSchema = z.object({
  NP_DATABASE_URL: url(['postgres', 'postgresql']).default('postgresql://np:np@127.0.0.1:5432/np'),
  NP_DATABASE_POOL_MAX: positiveInt(10),
  // Published outbox rows and inbox rows are deleted after this long (the outbox relay sweeps them).
  NP_OUTBOX_RETENTION_HOURS: positiveInt(168),
});

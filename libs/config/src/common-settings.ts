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

/** Settings of the message bus, needed by every process in the distributed shape. */
export const busSettingsSchema = z.object({
  NP_AMQP_URL: url(['amqp', 'amqps']).default('amqp://np:np@127.0.0.1:5672/np'),
  NP_RPC_TIMEOUT_MS: positiveInt(5000),
  NP_AMQP_PREFETCH: positiveInt(32),
});

/** Settings of a PostgreSQL connection, needed by every process that owns data. */
export const databaseSettingsSchema = z.object({
  NP_DATABASE_URL: url(['postgres', 'postgresql']).default('postgresql://np:np@127.0.0.1:5432/np'),
  NP_DATABASE_POOL_MAX: positiveInt(10),
});

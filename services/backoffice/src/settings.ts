import { busSettingsSchema, databaseSettingsSchema, processSettingsSchema, withIssuer } from '@np/config';
import { moduleEntry } from '@np/modules';
import { z } from 'zod';

export const backofficeSettingsSchema = processSettingsSchema
  .extend(busSettingsSchema.shape)
  .extend(databaseSettingsSchema.shape)
  .extend({
    NP_BACKOFFICE_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .default(moduleEntry('backoffice').schema),
    /** Audit entries older than this many days are deleted (swept hourly, one replica at a time). */
    NP_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(365),
    /** The optional modules the tenant enabled (as the gateway reads it), for the module status. */
    NP_MODULES: z.string().default('users'),
    /** RabbitMQ's management API with monitoring rights, for replicas and queue depths; empty: not known. */
    NP_AMQP_MANAGEMENT_URL: z.string().default(''),
    /** The Tenant's module status as a file the operator keeps (cluster shape); empty: from the broker alone. */
    NP_MODULE_STATUS_FILE: z.string().default(''),
  })
  .transform((settings) => withIssuer(settings));

export type BackofficeSettings = z.output<typeof backofficeSettingsSchema>;

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
  })
  .transform((settings) => withIssuer(settings));

export type BackofficeSettings = z.output<typeof backofficeSettingsSchema>;

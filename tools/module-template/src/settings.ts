import { busSettingsSchema, databaseSettingsSchema, processSettingsSchema, withIssuer } from '@np/config';
import { moduleEntry } from '@np/modules';
import { z } from 'zod';

export const __camel__SettingsSchema = processSettingsSchema
  .extend(busSettingsSchema.shape)
  .extend(databaseSettingsSchema.shape)
  .extend({
    NP___NAME___SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .default(moduleEntry('__name__').schema),
  })
  .transform((settings) => withIssuer(settings));

export type __Name__Settings = z.output<typeof __camel__SettingsSchema>;

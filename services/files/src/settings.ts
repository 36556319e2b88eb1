import { busSettingsSchema, databaseSettingsSchema, processSettingsSchema, withIssuer } from '@np/config';
import { moduleEntry } from '@np/modules';
import { z } from 'zod';

export const filesSettingsSchema = processSettingsSchema
  .extend(busSettingsSchema.shape)
  .extend(databaseSettingsSchema.shape)
  .extend({
    NP_FILES_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .default(moduleEntry('files').schema),
  })
  .transform((settings) => withIssuer(settings));

export type FilesSettings = z.output<typeof filesSettingsSchema>;

import { port, processSettingsSchema } from '@np/config';
import { z } from 'zod';

/** What only the embedded launcher reads; each module still reads its own settings. */
export const embeddedSettingsSchema = processSettingsSchema.extend({
  NP_DATA_DIR: z.string().default('.data'),
  NP_EMBEDDED_PG_PORT: port(17433),
  /** The embedded shape always has a first admin; its password is generated when not given. */
  NP_BOOTSTRAP_ADMIN_EMAIL: z.string().default('admin@np.local'),
  NP_BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
});

export type EmbeddedSettings = z.output<typeof embeddedSettingsSchema>;

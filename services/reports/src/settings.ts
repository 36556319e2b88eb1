import { busSettingsSchema, databaseSettingsSchema, processSettingsSchema, withIssuer } from '@np/config';
import { moduleEntry } from '@np/modules';
import { z } from 'zod';

export const reportsSettingsSchema = processSettingsSchema
  .extend(busSettingsSchema.shape)
  .extend(databaseSettingsSchema.shape)
  .extend({
    NP_REPORTS_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .default(moduleEntry('reports').schema),
    /** The most rows `POST /v1/reports/:id/run` answers; more is 413 `result_too_large` (export it). */
    NP_REPORTS_RUN_MAX_ROWS: z.coerce.number().int().min(1).max(100_000).default(10_000),
    /** Connections of the query pool (runs, exports, projections), apart from the ORM's. */
    NP_REPORTS_QUERY_POOL_MAX: z.coerce.number().int().min(1).max(50).default(4),
  })
  .transform((settings) => withIssuer(settings));

export type ReportsSettings = z.output<typeof reportsSettingsSchema>;

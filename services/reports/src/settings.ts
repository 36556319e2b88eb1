import { busSettingsSchema, databaseSettingsSchema, processSettingsSchema, url, withIssuer } from '@np/config';
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
    /** The files module's data listener, where exports are written (the embedded launcher finds it by itself). */
    NP_FILES_URL: url(['http', 'https']).default('http://127.0.0.1:9203'),
    /** XLSX exports stop at this many rows (at most the format's 1,048,575 below its header) and say so in `warning`. */
    NP_REPORTS_XLSX_MAX_ROWS: z.coerce.number().int().min(1).max(1_048_575).default(100_000),
    /** PDF exports stop at this many rows and say so in `warning`. */
    NP_REPORTS_PDF_MAX_ROWS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    /** How many times a failed export is tried again (pg-boss retries, with backoff). */
    NP_REPORTS_EXPORT_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
    /** How often each replica looks for schedules that came due (pg-boss's cron monitor, 1–45 s); a tick is still sent once. */
    NP_REPORTS_CRON_CHECK_SECONDS: z.coerce.number().int().min(1).max(45).default(30),
    /** Connections of the query pool (runs, exports, projections), apart from the ORM's. */
    NP_REPORTS_QUERY_POOL_MAX: z.coerce.number().int().min(1).max(50).default(4),
  })
  .transform((settings) => withIssuer(settings));

export type ReportsSettings = z.output<typeof reportsSettingsSchema>;

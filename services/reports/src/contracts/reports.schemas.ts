import { z } from 'zod';

/** The types a dataset's field can have; they decide which filters and aggregates apply. */
export const fieldTypeSchema = z.enum(['string', 'number', 'boolean', 'datetime', 'string[]']);
export type FieldType = z.infer<typeof fieldTypeSchema>;

export const datasetSchema = z.object({
  name: z.string(),
  fields: z.array(z.object({ name: z.string(), type: fieldTypeSchema })),
});
export type Dataset = z.infer<typeof datasetSchema>;
export const datasetListSchema = z.array(datasetSchema);

const fieldNameSchema = z.string().min(1).max(200);
const scalarSchema = z.union([z.string().max(1000), z.number().finite(), z.boolean(), z.null()]);

export const filterOps = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'contains'] as const;
export const filterSchema = z.strictObject({
  field: fieldNameSchema,
  op: z.enum(filterOps),
  value: z.union([scalarSchema, z.array(z.union([z.string().max(1000), z.number().finite()])).min(1).max(1000)]),
});
export type Filter = z.infer<typeof filterSchema>;

export const aggregateOps = ['count', 'sum', 'avg', 'min', 'max'] as const;
export const aggregateSchema = z.strictObject({
  op: z.enum(aggregateOps),
  field: fieldNameSchema.optional(),
  /** The result column's name. */
  as: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a letter or _ then letters, digits or _ (at most 63)'),
});
export type Aggregate = z.infer<typeof aggregateSchema>;

export const timeBucketSchema = z.strictObject({
  field: fieldNameSchema,
  unit: z.enum(['hour', 'day', 'week', 'month']),
  timeZone: z.string().min(1).max(64),
});
export type TimeBucket = z.infer<typeof timeBucketSchema>;

const reportFields = {
  name: z.string().trim().min(1).max(200),
  /** `users`, `files`, `audit` or `submissions:<formId>`. */
  dataset: z.string().min(1).max(100),
  filters: z.array(filterSchema).max(50),
  groupBy: z.array(fieldNameSchema).max(10),
  aggregates: z.array(aggregateSchema).max(20),
  timeBucket: timeBucketSchema.nullable(),
};

export const createReportRequestSchema = z.strictObject({
  ...reportFields,
  filters: reportFields.filters.default([]),
  groupBy: reportFields.groupBy.default([]),
  aggregates: reportFields.aggregates.default([]),
  timeBucket: reportFields.timeBucket.optional(),
});
export type CreateReportRequest = z.infer<typeof createReportRequestSchema>;

export const updateReportRequestSchema = z
  .strictObject({
    name: reportFields.name.optional(),
    dataset: reportFields.dataset.optional(),
    filters: reportFields.filters.optional(),
    groupBy: reportFields.groupBy.optional(),
    aggregates: reportFields.aggregates.optional(),
    timeBucket: reportFields.timeBucket.optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'At least one field must be given.' });
export type UpdateReportRequest = z.infer<typeof updateReportRequestSchema>;

/** What a report is made of besides its name: what the query runs. */
export interface ReportQuery {
  dataset: string;
  filters: Filter[];
  groupBy: string[];
  aggregates: Aggregate[];
  timeBucket: TimeBucket | null;
}

export const reportSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  dataset: z.string(),
  filters: z.array(filterSchema),
  groupBy: z.array(z.string()),
  aggregates: z.array(aggregateSchema),
  timeBucket: timeBucketSchema.nullable(),
  ownerId: z.uuid(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Report = z.infer<typeof reportSchema>;
export const reportListSchema = z.object({ items: z.array(reportSchema) });

export const reportIdParamsSchema = z.strictObject({ id: z.uuid() });
export const updateReportCommandSchema = z.strictObject({ id: z.uuid(), changes: updateReportRequestSchema });

export const cellSchema = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);
export const runResultSchema = z.object({
  columns: z.array(z.object({ name: z.string(), type: fieldTypeSchema })),
  rows: z.array(z.array(cellSchema)),
});
export type RunResult = z.infer<typeof runResultSchema>;

export const exportFormatSchema = z.enum(['csv', 'xlsx', 'pdf']);
export type ExportFormat = z.infer<typeof exportFormatSchema>;
export const exportStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed']);
export type ExportStatus = z.infer<typeof exportStatusSchema>;

export const createExportRequestSchema = z.strictObject({ format: exportFormatSchema });
export const createExportCommandSchema = z.strictObject({ id: z.uuid(), format: exportFormatSchema });
export const exportIdParamsSchema = z.strictObject({ exportId: z.uuid() });

/** One export (a delivery, when a schedule made it): the file it left in the files module, or why not. */
export const exportSchema = z.object({
  id: z.uuid(),
  reportId: z.uuid(),
  scheduleId: z.uuid().nullable(),
  format: exportFormatSchema,
  status: exportStatusSchema,
  rows: z.number().int().nullable(),
  fileId: z.uuid().nullable(),
  error: z.string().nullable(),
  /** Set when the format's cap left rows out (XLSX, PDF). */
  warning: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().int().nullable(),
});
export type Export = z.infer<typeof exportSchema>;
export const exportAcceptedSchema = z.object({ id: z.uuid(), status: exportStatusSchema });
export const runListSchema = z.object({ items: z.array(exportSchema) });

export const createScheduleRequestSchema = z.strictObject({
  /** Five fields (minute hour day month weekday), as cron reads them. */
  cron: z.string().trim().min(9).max(100),
  timezone: z.string().min(1).max(64).default('UTC'),
  format: exportFormatSchema,
});
export const createScheduleCommandSchema = z.strictObject({ id: z.uuid(), schedule: createScheduleRequestSchema });
export const scheduleIdParamsSchema = z.strictObject({ id: z.uuid(), scheduleId: z.uuid() });

export const scheduleSchema = z.object({
  id: z.uuid(),
  reportId: z.uuid(),
  cron: z.string(),
  timezone: z.string(),
  format: exportFormatSchema,
  ownerId: z.uuid(),
  createdAt: z.iso.datetime(),
});
export type Schedule = z.infer<typeof scheduleSchema>;
export const scheduleListSchema = z.object({ items: z.array(scheduleSchema) });

/** Events: what changed in reports, for the audit and for usage. */
export const reportChangedEventSchema = z.object({ report: reportSchema });
export const reportDeletedEventSchema = z.object({ id: z.uuid() });
export const scheduleCreatedEventSchema = z.object({ schedule: scheduleSchema });
export const scheduleDeletedEventSchema = z.object({ id: z.uuid(), reportId: z.uuid() });
export const exportRequestedEventSchema = z.object({ export: z.object({ id: z.uuid(), reportId: z.uuid(), scheduleId: z.uuid().nullable(), format: exportFormatSchema, ownerId: z.uuid() }) });
export const exportCompletedEventSchema = z.object({
  export: z.object({ id: z.uuid(), reportId: z.uuid(), format: exportFormatSchema, status: z.enum(['succeeded', 'failed']), rows: z.number().int().nullable(), fileId: z.uuid().nullable(), ownerId: z.uuid() }),
});

import { message } from '@np/contracts';
import { z } from 'zod';
import * as schemas from './reports.schemas.js';

const empty = z.strictObject({});

/** The reports module's bus patterns. */
export const REPORTS_MESSAGES = {
  'reports.datasets.list': message(empty, schemas.datasetListSchema),
  'reports.create': message(schemas.createReportRequestSchema, schemas.reportSchema),
  'reports.list': message(empty, schemas.reportListSchema),
  'reports.get': message(schemas.reportIdParamsSchema, schemas.reportSchema),
  'reports.update': message(schemas.updateReportCommandSchema, schemas.reportSchema),
  'reports.delete': message(schemas.reportIdParamsSchema, z.object({ ok: z.literal(true) })),
  'reports.run': message(schemas.reportIdParamsSchema, schemas.runResultSchema),
  'reports.exports.create': message(schemas.createExportCommandSchema, schemas.exportAcceptedSchema),
  'reports.exports.get': message(schemas.exportIdParamsSchema, schemas.exportSchema),
  'reports.runs.list': message(schemas.reportIdParamsSchema, schemas.runListSchema),
  'reports.schedules.create': message(schemas.createScheduleCommandSchema, schemas.scheduleSchema),
  'reports.schedules.list': message(schemas.reportIdParamsSchema, schemas.scheduleListSchema),
  'reports.schedules.delete': message(schemas.scheduleIdParamsSchema, z.object({ ok: z.literal(true) })),
} as const;

/** The events reports publishes: exactly those its manifest entry lists. */
export const REPORTS_EVENTS = {
  'reports.report.created': schemas.reportChangedEventSchema,
  'reports.report.updated': schemas.reportChangedEventSchema,
  'reports.report.deleted': schemas.reportDeletedEventSchema,
  'reports.schedule.created': schemas.scheduleCreatedEventSchema,
  'reports.schedule.deleted': schemas.scheduleDeletedEventSchema,
  'reports.export.requested': schemas.exportRequestedEventSchema,
  'reports.export.completed': schemas.exportCompletedEventSchema,
} as const;

type ReportsMessages = typeof REPORTS_MESSAGES;
type ReportsEvents = typeof REPORTS_EVENTS;

declare module '@np/contracts' {
  interface MessageContracts extends ReportsMessages {}
  interface EventContracts extends ReportsEvents {}
}

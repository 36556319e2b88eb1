import { type RouteDeclaration, route } from '@np/contracts';
import './reports.messages.js';
import { createExportRequestSchema, createReportRequestSchema, createScheduleRequestSchema, scheduleIdParamsSchema, exportIdParamsSchema, reportIdParamsSchema, updateReportRequestSchema } from './reports.schemas.js';

const read = { permission: 'reports:read' } as const;
const write = { permission: 'reports:write' } as const;

/** The reports module's HTTP routes: the gateway serves and documents exactly these. */
export const REPORTS_ROUTES: readonly RouteDeclaration[] = [
  route({ method: 'GET', path: '/v1/reports/datasets', summary: 'List the datasets reports can read, with their fields', policy: read, pattern: 'reports.datasets.list', toBus: () => ({}) }),
  route({
    method: 'POST',
    path: '/v1/reports',
    summary: 'Define a report (dataset, filters, grouping, aggregates, time bucket)',
    policy: write,
    body: createReportRequestSchema,
    status: 201,
    pattern: 'reports.create',
    toBus: ({ body }) => body,
  }),
  route({ method: 'GET', path: '/v1/reports', summary: 'List the report definitions', policy: read, pattern: 'reports.list', toBus: () => ({}) }),
  route({ method: 'GET', path: '/v1/reports/:id', summary: 'Read a report definition', policy: read, params: reportIdParamsSchema, pattern: 'reports.get', toBus: ({ params }) => params, errors: ['not_found'] }),
  route({
    method: 'PATCH',
    path: '/v1/reports/:id',
    summary: 'Change a report definition',
    policy: write,
    params: reportIdParamsSchema,
    body: updateReportRequestSchema,
    pattern: 'reports.update',
    toBus: ({ params, body }) => ({ id: params.id, changes: body }),
    errors: ['not_found'],
  }),
  route({ method: 'DELETE', path: '/v1/reports/:id', summary: 'Delete a report definition', policy: write, params: reportIdParamsSchema, status: 204, pattern: 'reports.delete', toBus: ({ params }) => params, errors: ['not_found'] }),
  route({
    method: 'POST',
    path: '/v1/reports/:id/run',
    summary: 'Run a report and answer its rows (up to NP_REPORTS_RUN_MAX_ROWS; export larger results)',
    policy: read,
    params: reportIdParamsSchema,
    pattern: 'reports.run',
    toBus: ({ params }) => params,
    errors: ['not_found', 'result_too_large'],
  }),

  route({
    method: 'POST',
    path: '/v1/reports/:id/exports',
    summary: 'Export a report as CSV, XLSX or PDF into a file of the caller (a job; poll the export)',
    policy: read,
    params: reportIdParamsSchema,
    body: createExportRequestSchema,
    status: 202,
    pattern: 'reports.exports.create',
    toBus: ({ params, body }) => ({ id: params.id, format: body.format }),
    errors: ['not_found'],
  }),
  route({ method: 'GET', path: '/v1/reports/exports/:exportId', summary: 'An export: its status, rows, file and error', policy: read, params: exportIdParamsSchema, pattern: 'reports.exports.get', toBus: ({ params }) => params, errors: ['not_found'] }),
  route({ method: 'GET', path: '/v1/reports/:id/runs', summary: "A report's deliveries (exports and scheduled runs), newest first", policy: read, params: reportIdParamsSchema, pattern: 'reports.runs.list', toBus: ({ params }) => params, errors: ['not_found'] }),

  route({
    method: 'POST',
    path: '/v1/reports/:id/schedules',
    summary: 'Export the report on a cron schedule in a time zone (each tick once, whatever the replicas)',
    policy: write,
    params: reportIdParamsSchema,
    body: createScheduleRequestSchema,
    status: 201,
    pattern: 'reports.schedules.create',
    toBus: ({ params, body }) => ({ id: params.id, schedule: body }),
    errors: ['not_found'],
  }),
  route({ method: 'GET', path: '/v1/reports/:id/schedules', summary: "A report's schedules", policy: read, params: reportIdParamsSchema, pattern: 'reports.schedules.list', toBus: ({ params }) => params, errors: ['not_found'] }),
  route({
    method: 'DELETE',
    path: '/v1/reports/:id/schedules/:scheduleId',
    summary: 'Stop a schedule (its runs stay in the history)',
    policy: write,
    params: scheduleIdParamsSchema,
    status: 204,
    pattern: 'reports.schedules.delete',
    toBus: ({ params }) => params,
    errors: ['not_found'],
  }),
];

import { type RouteDeclaration, route } from '@np/contracts';
import './reports.messages.js';
import { createReportRequestSchema, reportIdParamsSchema, updateReportRequestSchema } from './reports.schemas.js';

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
];

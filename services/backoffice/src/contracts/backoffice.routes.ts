import { type RouteDeclaration, route } from '@np/contracts';
import './backoffice.messages.js';
import { auditQuerySchema, ifMatchHeadersSchema, settingsDocumentSchema } from './backoffice.schemas.js';

const admins = { roles: ['admin'] } as const;
const etag = (reply: { version: number }) => ({ etag: `"${String(reply.version)}"` });

/** The backoffice module's HTTP routes, all of them for admins: the gateway serves and documents exactly these. */
export const BACKOFFICE_ROUTES: readonly RouteDeclaration[] = [
  route({
    method: 'GET',
    path: '/v1/backoffice/audit',
    summary: 'The audit log: every domain event with its actor, request id and (masked) changes, newest first',
    policy: admins,
    query: auditQuerySchema,
    pattern: 'backoffice.audit.list',
    toBus: ({ query }) => query,
  }),
  route({ method: 'GET', path: '/v1/backoffice/settings', summary: "The tenant's settings (ETag: its version)", policy: admins, pattern: 'backoffice.settings.get', toBus: () => ({}), responseHeaders: etag }),
  route({
    method: 'PUT',
    path: '/v1/backoffice/settings',
    summary: "Replace the tenant's settings; If-Match must name the version read (412 precondition_failed otherwise)",
    policy: admins,
    body: settingsDocumentSchema,
    headers: ifMatchHeadersSchema,
    pattern: 'backoffice.settings.put',
    toBus: ({ body, headers }) => ({ expectedVersion: Number(/"(\d+)"/.exec(headers?.['if-match'] ?? '')?.[1]), settings: body }),
    responseHeaders: etag,
    errors: ['precondition_failed'],
  }),
  route({ method: 'GET', path: '/v1/backoffice/settings/history', summary: 'Every version of the settings, newest first', policy: admins, pattern: 'backoffice.settings.history', toBus: () => ({}) }),
  route({ method: 'GET', path: '/v1/backoffice/modules', summary: 'Each module: enabled, ready, replicas, queue depth', policy: admins, pattern: 'backoffice.modules.list', toBus: () => ({}) }),
  route({ method: 'GET', path: '/v1/backoffice/usage', summary: 'Users, files and bytes, submissions and exports per month', policy: admins, pattern: 'backoffice.usage.get', toBus: () => ({}) }),
];

import { type RouteDeclaration, route } from '@np/contracts';
import './backoffice.messages.js';
import { createItemRequestSchema, itemIdParamsSchema } from './backoffice.schemas.js';

/** The backoffice module's HTTP routes: the gateway serves and documents exactly these. */
export const BACKOFFICE_ROUTES: readonly RouteDeclaration[] = [
  route({
    method: 'POST',
    path: '/v1/backoffice/items',
    summary: 'Create an item',
    policy: { roles: ['admin'] },
    body: createItemRequestSchema,
    status: 201,
    pattern: 'backoffice.items.create',
    toBus: ({ body }) => body,
  }),
  route({
    method: 'GET',
    path: '/v1/backoffice/items/:id',
    summary: 'Read an item',
    policy: { roles: ['admin'] },
    params: itemIdParamsSchema,
    pattern: 'backoffice.items.get',
    toBus: ({ params }) => params,
    errors: ['not_found'],
  }),
];

import { type RouteDeclaration, route } from '@np/contracts';
import './files.messages.js';
import { createItemRequestSchema, itemIdParamsSchema } from './files.schemas.js';

/** The files module's HTTP routes: the gateway serves and documents exactly these. */
export const FILES_ROUTES: readonly RouteDeclaration[] = [
  route({
    method: 'POST',
    path: '/v1/files/items',
    summary: 'Create an item',
    policy: { permission: 'files:write' },
    body: createItemRequestSchema,
    status: 201,
    pattern: 'files.items.create',
    toBus: ({ body }) => body,
  }),
  route({
    method: 'GET',
    path: '/v1/files/items/:id',
    summary: 'Read an item',
    policy: { permission: 'files:read' },
    params: itemIdParamsSchema,
    pattern: 'files.items.get',
    toBus: ({ params }) => params,
    errors: ['not_found'],
  }),
];

import { type RouteDeclaration, route } from '@np/contracts';
import './__name__.messages.js';
import { createItemRequestSchema, itemIdParamsSchema } from './__name__.schemas.js';

/** The __name__ module's HTTP routes: the gateway serves and documents exactly these. */
export const __NAME___ROUTES: readonly RouteDeclaration[] = [
  route({
    method: 'POST',
    path: '/v1/__name__/items',
    summary: 'Create an item',
    policy: { permission: '__name__:write' },
    body: createItemRequestSchema,
    status: 201,
    pattern: '__name__.items.create',
    toBus: ({ body }) => body,
  }),
  route({
    method: 'GET',
    path: '/v1/__name__/items/:id',
    summary: 'Read an item',
    policy: { permission: '__name__:read' },
    params: itemIdParamsSchema,
    pattern: '__name__.items.get',
    toBus: ({ params }) => params,
    errors: ['not_found'],
  }),
];

import { type RouteDeclaration, route } from '@np/contracts';
import './users.messages.js';
import { createUserRequestSchema, listUsersQuerySchema, updateUserRequestSchema, userIdParamsSchema } from './users.schemas.js';

/** The users module's HTTP routes. */
export const USERS_ROUTES: readonly RouteDeclaration[] = [
  route({
    method: 'POST',
    path: '/v1/users',
    summary: 'Create a user',
    policy: { permission: 'users:write' },
    body: createUserRequestSchema,
    status: 201,
    pattern: 'users.create',
    toBus: ({ body }) => body,
    errors: ['email_taken', 'identity_provider_unavailable'],
  }),
  route({
    method: 'GET',
    path: '/v1/users',
    summary: 'List users (cursor pagination, search by email or name)',
    policy: { permission: 'users:read' },
    query: listUsersQuerySchema,
    pattern: 'users.list',
    toBus: ({ query }) => query,
  }),
  route({
    method: 'GET',
    path: '/v1/users/:id',
    summary: 'Read a user',
    policy: { permission: 'users:read', allowSelf: 'id' },
    params: userIdParamsSchema,
    pattern: 'users.get',
    toBus: ({ params }) => ({ id: params.id }),
    errors: ['not_found'],
  }),
  route({
    method: 'PATCH',
    path: '/v1/users/:id',
    summary: 'Update a user (roles: admin only)',
    policy: { permission: 'users:write', allowSelf: 'id' },
    params: userIdParamsSchema,
    body: updateUserRequestSchema,
    pattern: 'users.update',
    toBus: ({ params, body }) => ({ id: params.id, changes: body }),
    errors: ['not_found', 'email_taken', 'current_password_invalid', 'last_admin', 'identity_provider_unavailable'],
  }),
  route({
    method: 'DELETE',
    path: '/v1/users/:id',
    summary: 'Delete a user',
    policy: { permission: 'users:delete' },
    params: userIdParamsSchema,
    status: 204,
    pattern: 'users.delete',
    toBus: ({ params }) => ({ id: params.id }),
    errors: ['not_found', 'last_admin', 'identity_provider_unavailable'],
  }),
];

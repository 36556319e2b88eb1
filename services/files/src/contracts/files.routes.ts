import { type RouteDeclaration, route } from '@np/contracts';
import './files.messages.js';
import { createLinkBodySchema, emptySchema, fileIdParamsSchema, listFilesQuerySchema, updateFileBodySchema } from './files.schemas.js';

/**
 * The files module's metadata routes, over the bus. Any signed-in caller may call them: a member
 * sees and deletes their own files, `files:read` / `files:write` (managers, admins) reach all of
 * the tenant's; the module decides, and another member's private file is `not_found`.
 */
export const FILES_ROUTES: readonly RouteDeclaration[] = [
  route({
    method: 'GET',
    path: '/v1/files',
    summary: 'List files (own ones, or all with files:read), newest first',
    policy: {},
    query: listFilesQuerySchema,
    pattern: 'files.list',
    toBus: ({ query }) => query,
  }),
  route({
    method: 'GET',
    path: '/v1/files/usage',
    summary: "The tenant's stored bytes and files, and its quota",
    policy: {},
    pattern: 'files.usage',
    toBus: () => emptySchema.parse({}),
  }),
  route({
    method: 'GET',
    path: '/v1/files/:id',
    summary: "A file's metadata",
    policy: {},
    params: fileIdParamsSchema,
    pattern: 'files.get',
    toBus: ({ params }) => params,
    errors: ['not_found'],
  }),
  route({
    method: 'PATCH',
    path: '/v1/files/:id',
    summary: 'Rename a file, move it to another folder or make it public or private (own ones, or any with files:write)',
    policy: {},
    params: fileIdParamsSchema,
    body: updateFileBodySchema,
    pattern: 'files.update',
    toBus: ({ params, body }) => ({ ...body, id: params.id }),
    errors: ['not_found', 'forbidden'],
  }),
  route({
    method: 'DELETE',
    path: '/v1/files/:id',
    summary: 'Delete a file (own ones, or any with files:write)',
    policy: {},
    params: fileIdParamsSchema,
    status: 204,
    pattern: 'files.delete',
    toBus: ({ params }) => params,
    errors: ['not_found', 'forbidden'],
  }),
  route({
    method: 'POST',
    path: '/v1/files/:id/links',
    summary: 'A signed URL that serves the content without a token until it expires',
    policy: {},
    params: fileIdParamsSchema,
    body: createLinkBodySchema,
    status: 201,
    pattern: 'files.links.create',
    toBus: ({ params, body }) => ({ ...body, id: params.id }),
    errors: ['not_found'],
  }),
];

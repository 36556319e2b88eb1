import { PUBLIC, type StreamRouteDeclaration, streamRoute } from '@np/contracts';
import { archiveQuerySchema, fileIdParamsSchema, fileSchema, signedLinkQuerySchema } from './files.schemas.js';
import { z } from 'zod';

/** Where resumable uploads live (tus 1.0). */
export const TUS_PATH = '/v1/files/uploads';

const DOWNLOAD_ERRORS = ['not_found', 'range_not_satisfiable'] as const;

/** What a browser's tus client sends and reads (tus 1.0 core, creation, termination, expiration). */
const TUS_HEADERS = {
  request: ['tus-resumable', 'upload-length', 'upload-offset', 'upload-metadata', 'upload-defer-length'],
  response: ['location', 'tus-resumable', 'tus-version', 'tus-extension', 'tus-max-size', 'upload-offset', 'upload-length', 'upload-expires'],
} as const;

/** Conditional and ranged downloads. */
const DOWNLOAD_HEADERS = {
  request: ['range', 'if-range', 'if-none-match'],
  response: ['etag', 'accept-ranges', 'content-range', 'content-disposition', 'content-length'],
} as const;

/** The files module's byte routes: served by its data listener, proxied as streams by the gateway. */
export const FILES_STREAMS: readonly StreamRouteDeclaration[] = [
  streamRoute({
    module: 'files',
    methods: ['POST'],
    path: '/v1/files',
    summary: 'Upload a file (multipart/form-data: field `file`; optional fields `folder`, `public`)',
    policy: {},
    requestBody: { contentType: 'multipart/form-data', description: 'the fields `folder` and `public` (true/false) first, then `file`' },
    response: { status: 201, description: 'The stored file', schema: fileSchema },
    errors: ['payload_too_large', 'quota_exceeded', 'unsupported_file_type', 'unsupported_media_type'],
  }),
  streamRoute({
    module: 'files',
    methods: ['POST'],
    path: TUS_PATH,
    summary: 'Create a resumable upload (tus 1.0: creation, termination, expiration; Upload-Metadata: filename, contentType, folder, public)',
    policy: {},
    response: { status: 201, description: 'The upload, at the Location header' },
    errors: ['payload_too_large', 'quota_exceeded', 'unsupported_file_type'],
    headers: TUS_HEADERS,
  }),
  streamRoute({
    module: 'files',
    methods: ['HEAD', 'PATCH', 'DELETE'],
    path: `${TUS_PATH}/:uploadId`,
    summary: 'Resume (HEAD: its offset; PATCH: more bytes) or terminate a resumable upload (tus 1.0)',
    policy: {},
    params: z.strictObject({ uploadId: z.string() }),
    requestBody: { contentType: 'application/offset+octet-stream', description: 'the next bytes (PATCH)' },
    response: { status: 204, description: 'Upload-Offset says how far it got' },
    errors: ['not_found', 'payload_too_large', 'quota_exceeded', 'unsupported_file_type'],
    headers: TUS_HEADERS,
  }),
  streamRoute({
    module: 'files',
    methods: ['GET'],
    path: '/v1/files/:id/content',
    summary: "A file's bytes (Range, If-None-Match)",
    policy: {},
    params: fileIdParamsSchema,
    response: { status: 200, description: 'The bytes (206 for a range, 304 when unchanged)', contentType: 'application/octet-stream' },
    errors: [...DOWNLOAD_ERRORS],
    headers: DOWNLOAD_HEADERS,
  }),
  streamRoute({
    module: 'files',
    methods: ['GET'],
    path: '/v1/files/archive',
    summary: 'Many files as one ZIP, streamed: every file of `folder` the caller sees, or the files of `ids` (at most 1000)',
    policy: {},
    query: archiveQuerySchema,
    response: { status: 200, description: 'The ZIP archive (no Content-Length: it is written as it is read)', contentType: 'application/zip' },
    errors: ['validation_failed', 'not_found'],
  }),
  streamRoute({
    module: 'files',
    methods: ['GET'],
    path: '/public/files/links/:id',
    summary: 'A file through a signed link, without a token',
    policy: PUBLIC,
    params: fileIdParamsSchema,
    query: signedLinkQuerySchema,
    response: { status: 200, description: 'The bytes (206 for a range, 304 when unchanged)', contentType: 'application/octet-stream' },
    errors: ['link_invalid', ...DOWNLOAD_ERRORS],
    headers: DOWNLOAD_HEADERS,
  }),
  streamRoute({
    module: 'files',
    methods: ['GET'],
    path: '/public/files/:id/:name',
    summary: 'A public file, without a token, cacheable',
    policy: PUBLIC,
    params: z.strictObject({ id: z.uuid(), name: z.string() }),
    response: { status: 200, description: 'The bytes (206 for a range, 304 when unchanged)', contentType: 'application/octet-stream' },
    errors: [...DOWNLOAD_ERRORS],
    headers: DOWNLOAD_HEADERS,
  }),
];

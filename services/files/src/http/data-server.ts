import type { AddressInfo } from 'node:net';
import fastifyMultipart from '@fastify/multipart';
import { bearerTokenFrom, type TokenVerifier } from '@np/auth';
import { type AppError, parseOrThrow, type Principal } from '@np/contracts';
import { type Logger, requestIdFrom, runWithRequestContext } from '@np/observability';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { toFileMetadata } from '../catalog/file-record.js';
import type { FilesService } from '../catalog/files.service.js';
import { archiveFileName } from '../archives/entry-names.js';
import { sendArchive } from '../archives/send-archive.js';
import { archiveQuerySchema, fileIdParamsSchema, grantedUploadQuerySchema, signedLinkQuerySchema, TUS_PATH } from '../contracts/index.js';
import { sendContent } from '../downloads/send-content.js';
import type { FilesSettings } from '../settings.js';
import type { StorageDriver } from '../storage/storage-driver.js';
import type { TusUploads } from '../tus/tus-uploads.js';
import type { AllowedTypes } from '../uploads/content-type-policy.js';
import { receiveGranted } from '../uploads/receive-granted.js';
import { receiveMultipart } from '../uploads/receive-multipart.js';
import { toDataError } from './data-errors.js';
import { drainBody } from './drain-body.js';

export interface DataServerDeps {
  settings: FilesSettings;
  files: FilesService;
  storage: StorageDriver;
  verifier: TokenVerifier;
  tus: TusUploads;
  allowed: AllowedTypes;
  logger: Logger;
}

export interface RunningDataServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The files module's data listener: the byte routes of its contracts (FILES_STREAMS), reached
 * through the gateway's streaming proxy. It trusts no one's word: every route that needs a
 * caller verifies the forwarded token itself, as the bus handlers do.
 */
export async function startDataServer(deps: DataServerDeps): Promise<RunningDataServer> {
  const app = Fastify({ logger: false, genReqId: (request) => requestIdFrom(request.headers['x-request-id']), bodyLimit: 64 * 1024 });
  app.setErrorHandler(async (error, request, reply) => {
    // The client may still be sending the body of a refused upload: read and drop the rest first,
    // so every hop (the gateway's proxy included) sees a finished request and the answer arrives
    // whole instead of a broken pipe.
    await drainBody(request.raw);
    sendDataError(request, reply, error, deps.logger);
    return reply;
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ code: 'route_not_found', message: 'No such route.', requestId: request.id });
  });
  // tus bodies are read by tus itself.
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => {
    done(null);
  });
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    // The name as sent: safeFileName alone decides what of it is kept.
    preservePath: true,
    limits: { fileSize: deps.settings.NP_FILES_MAX_BYTES, files: 1, fields: 10, fieldSize: 4096, parts: 20, headerPairs: 100 },
  });
  registerRoutes(app, deps);
  await app.register((scope, _options, done) => {
    registerGrantedUploads(scope, deps);
    done();
  });
  await app.listen({ port: deps.settings.NP_FILES_DATA_PORT, host: deps.settings.NP_FILES_DATA_HOST });
  const { port } = app.server.address() as AddressInfo;
  const host = deps.settings.NP_FILES_DATA_HOST === '0.0.0.0' ? '127.0.0.1' : deps.settings.NP_FILES_DATA_HOST;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}

function registerRoutes(app: FastifyInstance, deps: DataServerDeps): void {
  const principalOf = (request: FastifyRequest): Promise<Principal> => deps.verifier.verify(bearerTokenFrom(request.headers.authorization));
  const privateContent = 'private, no-cache';

  app.post('/v1/files', async (request, reply) => {
    const principal = await principalOf(request);
    // The upload's event names its request and its uploader (the audit's actor).
    const file = await runWithRequestContext({ requestId: request.id, actorId: principal.sub }, () => receiveMultipart(request, { ...deps, principal }));
    return reply.code(201).send(toFileMetadata(file));
  });

  app.get('/v1/files/archive', async (request, reply) => {
    const principal = await principalOf(request);
    const query = parseOrThrow(archiveQuerySchema, request.query, 'query');
    const records = await deps.files.archived(principal, query.ids === undefined ? { folder: query.folder ?? '' } : { ids: query.ids.split(',') });
    await sendArchive(reply, records, deps.storage, { fileName: archiveFileName(query.folder), withFolders: query.ids !== undefined });
    return reply;
  });

  app.get('/v1/files/:id/content', async (request, reply) => {
    const principal = await principalOf(request);
    const { id } = parseOrThrow(fileIdParamsSchema, request.params, 'params');
    const record = await deps.files.get(principal, id);
    await sendContent(request, reply, record, deps.storage, { disposition: dispositionQuery(request), cacheControl: privateContent });
    return reply;
  });

  app.get('/public/files/links/:id', async (request, reply) => {
    const { id } = parseOrThrow(fileIdParamsSchema, request.params, 'params');
    const link = signedLinkQuerySchema.safeParse(request.query);
    const grant = link.success ? { id, expires: Number(link.data.expires), disposition: link.data.disposition } : undefined;
    const record = await deps.files.getLinked(grant ?? { id, expires: 0, disposition: 'attachment' }, link.success ? link.data.signature : '');
    await sendContent(request, reply, record, deps.storage, { disposition: grant?.disposition ?? 'attachment', cacheControl: privateContent });
    return reply;
  });

  app.get('/public/files/:id/:name', async (request, reply) => {
    const { id } = parseOrThrow(fileIdParamsSchema, { id: (request.params as { id?: unknown }).id }, 'params');
    const record = await deps.files.getPublic(id);
    await sendContent(request, reply, record, deps.storage, { disposition: 'inline', cacheControl: `public, max-age=${deps.settings.NP_FILES_PUBLIC_MAX_AGE_SECONDS}` });
    return reply;
  });

  const tus = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.hijack();
    await deps.tus.handle(request.raw, reply.raw, request.id);
  };
  app.route({ method: ['POST'], url: TUS_PATH, handler: tus });
  app.route({ method: ['HEAD', 'PATCH', 'DELETE'], url: `${TUS_PATH}/:uploadId`, handler: tus });
}

/**
 * `PUT /internal/files/grants/:id?owner=&name=&folder=&expires=&signature=`: the body, of any
 * type the allow-list admits, becomes the file the grant names (reports' exports). The gateway
 * does not proxy it: only what reaches the data listener directly (in a cluster, what its network
 * policy lets in) can use it, and only with a grant the module signed.
 */
function registerGrantedUploads(scope: FastifyInstance, deps: DataServerDeps): void {
  scope.removeAllContentTypeParsers();
  // The body is the file: ingest reads it as it arrives.
  scope.addContentTypeParser('*', (_request, _payload, done) => {
    done(null);
  });
  scope.put('/internal/files/grants/:id', async (request, reply) => {
    const { id } = parseOrThrow(fileIdParamsSchema, request.params, 'params');
    const query = parseOrThrow(grantedUploadQuerySchema, request.query, 'query');
    const grant = { fileId: id, ownerId: query.owner, name: query.name, folder: query.folder, expires: Number(query.expires) };
    await deps.files.checkUploadGrant(grant, query.signature);
    const file = await runWithRequestContext({ requestId: request.id, actorId: grant.ownerId }, () => receiveGranted(request, grant, deps));
    return reply.code(201).send(toFileMetadata(file));
  });
}

function dispositionQuery(request: FastifyRequest): 'inline' | 'attachment' {
  return (request.query as { disposition?: unknown }).disposition === 'inline' ? 'inline' : 'attachment';
}

function sendDataError(request: FastifyRequest, reply: FastifyReply, error: unknown, logger: Logger): void {
  const appError: AppError = toDataError(error);
  runWithRequestContext({ requestId: request.id }, () => {
    if (appError.code === 'internal_error') logger.error({ err: error, url: request.url }, 'unhandled error on the data listener');
  });
  void reply.code(appError.status).header('content-type', 'application/json; charset=utf-8').header('cache-control', 'no-store').send(appError.toBody(request.id));
}

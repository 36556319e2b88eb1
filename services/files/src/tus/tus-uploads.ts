import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { bearerTokenFrom, type TokenVerifier } from '@np/auth';
import { AppError, type Principal } from '@np/contracts';
import { currentRequestId, type Logger, runWithRequestContext } from '@np/observability';
import { Server, type ServerOptions } from '@tus/server';
import type { Upload } from '@tus/utils';
import type { FilesService } from '../catalog/files.service.js';
import { TUS_PATH } from '../contracts/index.js';
import { drainBody } from '../http/drain-body.js';
import type { FilesSettings } from '../settings.js';
import type { StorageDriver } from '../storage/storage-driver.js';
import type { AllowedTypes } from '../uploads/content-type-policy.js';
import { ingest } from '../uploads/ingest.js';
import { PostgresLocker } from './postgres-locker.js';
import { type UploadStore, uploadStore } from './upload-stores.js';
import { appErrorOfTusAnswer, TusRefusal, tusError } from './tus-errors.js';

export interface TusUploadsDeps {
  settings: FilesSettings;
  files: FilesService;
  storage: StorageDriver;
  verifier: TokenVerifier;
  allowed: AllowedTypes;
  logger: Logger;
}

type TusRequest = Parameters<NonNullable<ServerOptions['onIncomingRequest']>>[0];
type TusHandlers = Pick<ServerOptions, 'onUploadCreate' | 'onIncomingRequest' | 'onUploadFinish'>;

/**
 * Error answers in the platform's JSON shape, whatever part of tus refused, sent once the
 * request's body has been read to its end: tus closes the connection after a failed PATCH, and
 * closing it with bytes still unread resets it, so the hop in front (the gateway's proxy) could
 * see a broken connection instead of the answer.
 */
class PlatformTusServer extends Server {
  private readonly incoming = new AsyncLocalStorage<IncomingMessage>();

  override handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.incoming.run(req, () => super.handle(req, res));
  }

  override async write(...args: Parameters<Server['write']>): ReturnType<Server['write']> {
    const [context, headers, status, body] = args;
    if (status < 400) return super.write(context, headers, status, body);
    const request = this.incoming.getStore();
    if (request) await drainBody(request);
    const error = appErrorOfTusAnswer(status, body);
    headers.set('content-type', 'application/json; charset=utf-8');
    return super.write(context, headers, error.status, JSON.stringify(error.toBody(currentRequestId() ?? 'unknown')));
  }
}

/**
 * Resumable uploads by tus 1.0 (creation, termination, expiration) at `/v1/files/uploads`. The
 * upload id is the file's id to be; each request is the caller's own (another's upload is 404);
 * a finished upload goes through the same ingest as a multipart one (type sniffed, size and
 * quota checked, SHA-256 taken) and then exists as a file; its parts are deleted either way.
 */
export class TusUploads {
  private readonly server: Server;
  private readonly store: UploadStore;
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly deps: TusUploadsDeps) {
    const { settings } = deps;
    this.store = uploadStore(settings);
    this.server = new PlatformTusServer({
      path: TUS_PATH,
      datastore: this.store,
      maxSize: settings.NP_FILES_MAX_BYTES,
      relativeLocation: true,
      namingFunction: () => randomUUID(),
      // The id is the file's id: it must look like one before any store sees it.
      getFileIdFromRequest: (req, lastPath) => (lastPath !== undefined && /^[0-9a-f-]{36}$/.test(lastPath) ? lastPath : undefined),
      disableTerminationForFinishedUploads: true,
      locker: new PostgresLocker(settings.NP_DATABASE_URL, settings.NP_FILES_SCHEMA),
      ...this.handlers(),
    });
    this.sweep = setInterval(() => void this.cleanUp(), settings.NP_FILES_UPLOAD_SWEEP_SECONDS * 1000).unref();
  }

  /** Serves one tus request (the route has checked nothing: every hook verifies the token itself). */
  handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    return runWithRequestContext({ requestId }, () => this.server.handle(req, res));
  }

  /** Deletes the expired unfinished uploads; answers how many. */
  async cleanUp(): Promise<number> {
    try {
      const deleted = await this.server.cleanUpExpiredUploads();
      if (deleted > 0) this.deps.logger.info({ deleted }, 'expired resumable uploads deleted');
      return deleted;
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'expired resumable uploads could not be swept');
      return 0;
    }
  }

  close(): void {
    clearInterval(this.sweep);
  }

  private handlers(): TusHandlers {
    return {
      onUploadCreate: async (req, upload) => {
        const principal = await this.principal(req);
        await this.guard(async () => {
          if (upload.size === undefined) throw new AppError('validation_failed', 'A resumable upload must give its Upload-Length.');
          const declared = upload.metadata?.contentType ?? undefined;
          if (declared && !this.deps.allowed.allows(declared.split(';')[0]?.trim().toLowerCase() ?? '')) {
            throw new AppError('unsupported_file_type', `Files of type ${declared} are not accepted.`);
          }
          await this.deps.files.assertFits(upload.size);
        });
        // The owner is the caller, whatever the metadata claimed.
        return { metadata: { ...upload.metadata, ownerId: principal.sub } };
      },
      onIncomingRequest: async (req, uploadId) => {
        const principal = await this.principal(req);
        if (req.method === 'POST') return;
        const upload = await this.store.getUpload(uploadId);
        if (upload.metadata?.ownerId !== principal.sub) throw tusError(new AppError('not_found', `No upload ${uploadId}.`));
      },
      onUploadFinish: async (req, upload) => {
        const principal = await this.principal(req);
        try {
          // The file's event names the request and the uploader (the audit's actor).
          await runWithRequestContext({ requestId: currentRequestId() ?? randomUUID(), actorId: principal.sub }, () => this.guard(() => this.finish(principal, upload)));
        } catch (error) {
          if (error instanceof TusRefusal && error.status_code >= 500) this.deps.logger.warn({ err: (error as { cause?: unknown }).cause ?? error, uploadId: upload.id }, 'a finished upload could not be stored');
          throw error;
        } finally {
          await this.store.remove(upload.id).catch((error: unknown) => {
            this.deps.logger.warn({ err: error, uploadId: upload.id }, 'the parts of a finished upload could not be deleted');
          });
        }
        return {};
      },
    };
  }

  private async finish(principal: Principal, upload: Upload): Promise<void> {
    const metadata = upload.metadata ?? {};
    const source: Readable = await this.store.read(upload.id);
    const stored = await ingest(this.deps.storage, source, { declaredType: metadata.contentType ?? undefined, maxBytes: this.deps.settings.NP_FILES_MAX_BYTES, allowed: this.deps.allowed, from: 'storage' });
    try {
      await this.deps.files.record(principal, stored, { name: metadata.filename ?? undefined, folder: metadata.folder ?? undefined, public: metadata.public === 'true' }, upload.id);
    } catch (error) {
      await this.deps.storage.delete(stored.key).catch(() => undefined);
      throw error;
    }
  }

  private async principal(req: TusRequest): Promise<Principal> {
    try {
      return await this.deps.verifier.verify(bearerTokenFrom(req.headers.get('authorization') ?? undefined));
    } catch (error) {
      throw tusError(error instanceof AppError ? error : new AppError('token_invalid', 'The access token is not valid.'));
    }
  }

  /** Runs a step whose AppErrors the client must see as they are. */
  private async guard<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof AppError) throw tusError(error);
      throw error;
    }
  }
}

import { AppError, type Principal } from '@np/contracts';
import type { FastifyRequest } from 'fastify';
import type { FileRecord } from '../catalog/file-record.js';
import type { FilesService, UploadDescription } from '../catalog/files.service.js';
import type { FilesSettings } from '../settings.js';
import type { StorageDriver } from '../storage/storage-driver.js';
import type { AllowedTypes } from './content-type-policy.js';
import { type IngestedObject, ingest, tooLarge } from './ingest.js';

/** Room for the multipart envelope (boundaries, part headers, small fields) around the file. */
const ENVELOPE_BYTES = 64 * 1024;

export interface ReceiveDeps {
  settings: FilesSettings;
  files: FilesService;
  storage: StorageDriver;
  allowed: AllowedTypes;
  principal: Principal;
}

/**
 * `POST /v1/files`: one file in the field `file`, optional fields `folder` and `public`. The file
 * streams into storage as it arrives (never buffered whole); it is listed only once stored
 * whole and within the quota. A body announced larger than a file may be is refused unread.
 */
export async function receiveMultipart(request: FastifyRequest, deps: ReceiveDeps): Promise<FileRecord> {
  const announced = Number(request.headers['content-length']);
  const maxBytes = deps.settings.NP_FILES_MAX_BYTES;
  if (Number.isFinite(announced)) {
    if (announced > maxBytes + ENVELOPE_BYTES) throw tooLarge(maxBytes);
    await deps.files.assertFits(Math.max(0, announced - ENVELOPE_BYTES));
  }
  const description: UploadDescription = { name: undefined, folder: undefined, public: false };
  let stored: IngestedObject | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : '';
        if (part.fieldname === 'folder') description.folder = value;
        else if (part.fieldname === 'public') description.public = value === 'true' || value === '1';
        continue;
      }
      if (part.fieldname !== 'file' || stored) {
        part.file.resume();
        throw new AppError('validation_failed', 'An upload holds one file, in the field `file`.', [{ path: `body.${part.fieldname}`, message: 'unexpected file' }]);
      }
      description.name = part.filename;
      stored = await ingest(deps.storage, part.file, { declaredType: part.mimetype, maxBytes, allowed: deps.allowed, from: 'client' });
    }
  } catch (error) {
    if (stored) await deps.storage.delete(stored.key).catch(() => undefined);
    throw error;
  }
  if (!stored) throw new AppError('validation_failed', 'The upload has no file.', [{ path: 'body.file', message: 'required' }]);
  const bytes = stored;
  return deps.files.record(deps.principal, bytes, description).catch(async (error: unknown) => {
    await deps.storage.delete(bytes.key).catch(() => undefined);
    throw error;
  });
}

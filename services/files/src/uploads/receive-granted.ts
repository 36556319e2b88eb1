import type { FastifyRequest } from 'fastify';
import type { FileRecord } from '../catalog/file-record.js';
import type { FilesService } from '../catalog/files.service.js';
import type { UploadGrant } from '../links/link-signer.js';
import type { FilesSettings } from '../settings.js';
import type { StorageDriver } from '../storage/storage-driver.js';
import type { AllowedTypes } from './content-type-policy.js';
import { ingest, tooLarge } from './ingest.js';

export interface GrantedDeps {
  settings: FilesSettings;
  files: FilesService;
  storage: StorageDriver;
  allowed: AllowedTypes;
}

/**
 * A granted upload: the raw body streams into storage (type sniffed, size capped, hashed, as any
 * upload) and becomes the grant's file, owned by the grant's owner, private.
 */
export async function receiveGranted(request: FastifyRequest, grant: UploadGrant, deps: GrantedDeps): Promise<FileRecord> {
  const announced = Number(request.headers['content-length']);
  const maxBytes = deps.settings.NP_FILES_MAX_BYTES;
  if (Number.isFinite(announced)) {
    if (announced > maxBytes) throw tooLarge(maxBytes);
    await deps.files.assertFits(announced);
  }
  const declared = request.headers['content-type']?.split(';')[0]?.trim();
  const stored = await ingest(deps.storage, request.raw, { declaredType: declared, maxBytes, allowed: deps.allowed, from: 'client' });
  const owner = { sub: grant.ownerId, tenant: '', roles: [], iat: 0 };
  return deps.files.record(owner, stored, { name: grant.name, folder: grant.folder, public: false }, grant.fileId).catch(async (error: unknown) => {
    await deps.storage.delete(stored.key).catch(() => undefined);
    throw error;
  });
}

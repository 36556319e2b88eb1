import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import type { FilesSettings } from '../settings.js';
import { s3ClientConfig } from '../storage/s3-client.js';
import { localFilesRoot, s3ConnectionOf } from '../storage/storage-choice.js';

/**
 * S3Store that can also remove a finished upload: its own `remove` aborts the multipart upload
 * first, which S3 no longer knows once completed, and then gives up before deleting the object.
 */
class FinishableS3Store extends S3Store {
  override async remove(id: string): Promise<void> {
    try {
      await super.remove(id);
    } catch (error) {
      if ((error as { status_code?: unknown }).status_code !== 404) throw error;
      await this.client.deleteObjects({ Bucket: this.bucket, Delete: { Objects: [{ Key: id }, { Key: this.infoKey(id) }, { Key: this.partKey(id, true) }] } });
      await this.clearCache(id);
    }
  }
}

export type UploadStore = FileStore | S3Store;

/**
 * Where unfinished uploads wait: beside the objects on local disk, in the same bucket on S3 (as
 * S3 multipart uploads, so a part is never held whole in memory either).
 */
export function uploadStore(settings: FilesSettings): UploadStore {
  const expirationPeriodInMilliseconds = settings.NP_FILES_UPLOAD_EXPIRY_SECONDS * 1000;
  if (settings.NP_FILES_STORAGE === 'local') return new FileStore({ directory: join(localFilesRoot(settings), 'uploads'), expirationPeriodInMilliseconds });
  return new FinishableS3Store({
    partSize: Math.max(settings.NP_FILES_PART_BYTES, 5 * 1024 * 1024),
    expirationPeriodInMilliseconds,
    s3ClientConfig: { ...s3ClientConfig(s3ConnectionOf(settings)), bucket: settings.NP_S3_BUCKET },
  });
}

import { join, resolve } from 'node:path';
import type { FilesSettings } from '../settings.js';
import { LocalDiskDriver } from './local-disk-driver.js';
import { createS3Client, type S3Connection } from './s3-client.js';
import { S3Driver } from './s3-driver.js';
import type { StorageDriver } from './storage-driver.js';

/** The folder of the local driver: objects and unfinished resumable uploads. */
export function localFilesRoot(settings: Pick<FilesSettings, 'NP_DATA_DIR'>): string {
  return join(resolve(settings.NP_DATA_DIR), 'files');
}

export function s3ConnectionOf(settings: FilesSettings): S3Connection {
  const { NP_S3_URL: url, NP_S3_ACCESS_KEY: accessKey, NP_S3_SECRET_KEY: secretKey, NP_S3_REGION: region } = settings;
  // The settings schema requires them with NP_FILES_STORAGE=s3.
  if (url === undefined || accessKey === undefined || secretKey === undefined) throw new Error('NP_S3_URL, NP_S3_ACCESS_KEY and NP_S3_SECRET_KEY are required with NP_FILES_STORAGE=s3.');
  return { url, region, accessKey, secretKey };
}

/** The storage driver the settings choose. */
export function storageDriverFor(settings: FilesSettings): StorageDriver {
  if (settings.NP_FILES_STORAGE === 'local') return new LocalDiskDriver(localFilesRoot(settings));
  return new S3Driver(createS3Client(s3ConnectionOf(settings)), { bucket: settings.NP_S3_BUCKET, partBytes: settings.NP_FILES_PART_BYTES, createBucket: settings.NP_S3_CREATE_BUCKET });
}

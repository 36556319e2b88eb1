import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { assertObjectKey } from './object-key.js';
import type { ByteRange, StorageDriver } from './storage-driver.js';

export interface S3DriverOptions {
  bucket: string;
  /** Size of the parts a large object is sent in; at most two are in memory at a time. */
  partBytes: number;
  createBucket: boolean;
}

/** Objects in one bucket of an S3 server (distributed and cluster shapes: the tenant's bucket). */
export class S3Driver implements StorageDriver {
  readonly kind = 's3';

  constructor(
    private readonly client: S3Client,
    private readonly options: S3DriverOptions,
  ) {}

  async open(): Promise<void> {
    const exists = await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket })).then(
      () => true,
      (error: unknown) => {
        if (httpStatusOf(error) === 404) return false;
        throw error;
      },
    );
    if (!exists && this.options.createBucket) await this.client.send(new CreateBucketCommand({ Bucket: this.options.bucket }));
    else if (!exists) throw new Error(`The bucket ${this.options.bucket} does not exist.`);
  }

  async put(key: string, body: Readable, options: { contentType: string }): Promise<void> {
    // A single PutObject for a small body, a multipart upload (aborted on failure) for a large one.
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: assertObjectKey(key), Body: body, ContentType: options.contentType },
      partSize: this.options.partBytes,
      queueSize: 2,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const answer = await this.client.send(
      new GetObjectCommand({ Bucket: this.options.bucket, Key: assertObjectKey(key), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
    );
    if (!(answer.Body instanceof Readable)) throw new Error('The S3 client answered a body that is not a Node stream.');
    return answer.Body;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: assertObjectKey(key) }));
  }

  async isUp(): Promise<boolean> {
    return this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket })).then(
      () => true,
      () => false,
    );
  }

  close(): void {
    this.client.destroy();
  }
}

function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

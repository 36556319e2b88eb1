import {
  AbortMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetBucketAclCommand,
  GetBucketTaggingCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ServerCalls } from '../provisioner.js';
import { BUCKET_MARKER_TAG, type ObjectStoreServer } from './object-store-spec.js';
import { s3ErrorCode, unavailable } from './object-store-errors.js';

/** Whether a bucket exists and, if it does, whether it carries the operator's marker tag. */
export type BucketState = 'missing' | 'unmarked' | 'marked';

export interface S3ClientOptions {
  /** Attempts per call, retries included (the SDK's default is 3). */
  maxAttempts?: number;
  requestTimeoutMs?: number;
}

/**
 * The plain S3 calls of the object-store provisioners, made with the server's admin account: any
 * S3 server answers them the same way (path-style addressing, so no DNS per bucket is needed).
 * What a server does beyond S3 (users, bucket owners) lives in that server's own file.
 */
export class S3Buckets {
  private readonly client: S3Client;

  constructor(
    private readonly server: ObjectStoreServer,
    private readonly calls: ServerCalls,
    options: S3ClientOptions = {},
  ) {
    this.client = new S3Client({
      endpoint: server.url,
      region: server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: server.accessKey, secretAccessKey: server.secretKey },
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 30_000 },
    });
    // Counted once per call (retries are not new calls): GET and HEAD read, everything else writes.
    this.client.middlewareStack.add(
      (next) => async (args) => {
        const method = (args.request as { method?: string }).method ?? 'GET';
        if (method === 'GET' || method === 'HEAD') this.calls.reads += 1;
        else this.calls.writes += 1;
        return next(args);
      },
      { step: 'build', name: 'npCountCalls' },
    );
  }

  async state(bucket: string): Promise<BucketState> {
    try {
      const { TagSet = [] } = await this.client.send(new GetBucketTaggingCommand({ Bucket: bucket }));
      return TagSet.some((tag) => tag.Key === BUCKET_MARKER_TAG.Key && tag.Value === BUCKET_MARKER_TAG.Value) ? 'marked' : 'unmarked';
    } catch (error) {
      const code = s3ErrorCode(error);
      if (code === 'NoSuchBucket') return 'missing';
      // A bucket without any tag (S3's own code; some servers answer an empty tag set instead).
      if (code === 'NoSuchTagSet' || code === 'NoSuchTagSetError') return 'unmarked';
      throw unavailable(this.server.url, `GetBucketTagging ${bucket}`, error);
    }
  }

  /** The canonical ID of the bucket's owner as its ACL states it (the access key on versitygw). */
  async owner(bucket: string): Promise<string | undefined> {
    try {
      const { Owner } = await this.client.send(new GetBucketAclCommand({ Bucket: bucket }));
      return Owner?.ID;
    } catch (error) {
      throw unavailable(this.server.url, `GetBucketAcl ${bucket}`, error);
    }
  }

  /**
   * Deletes every object and every incomplete multipart upload, page by page (1000 at a time),
   * then the bucket. The operator's buckets are not versioned, so deleting the keys empties them.
   */
  async deleteWithContents(bucket: string): Promise<void> {
    try {
      for (;;) {
        const page = await this.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, MaxUploads: 1000 }));
        const uploads = page.Uploads ?? [];
        if (uploads.length === 0) break;
        for (const { Key, UploadId } of uploads) {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }));
        }
      }
      for (;;) {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
        const keys = (page.Contents ?? []).flatMap(({ Key }) => (Key === undefined ? [] : [{ Key }]));
        if (keys.length === 0) break;
        const { Errors = [] } = await this.client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
        const [first] = Errors;
        if (first) throw new Error(`${Errors.length} objects not deleted, first ${first.Key ?? '?'}: ${first.Code ?? '?'} ${first.Message ?? ''}`);
      }
      await this.client.send(new DeleteBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (s3ErrorCode(error) === 'NoSuchBucket') return;
      throw unavailable(this.server.url, `emptying and deleting ${bucket}`, error);
    }
  }

  destroy(): void {
    this.client.destroy();
  }
}

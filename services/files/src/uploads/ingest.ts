import { createHash } from 'node:crypto';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { AppError } from '@np/contracts';
import { newObjectKey } from '../storage/object-key.js';
import type { StorageDriver } from '../storage/storage-driver.js';
import { type AllowedTypes, decideContentType, SNIFF_BYTES } from './content-type-policy.js';
import { storageError } from './storage-error.js';
import { splitHead } from './stream-head.js';

export interface IngestOptions {
  /** The type the client declared (multipart part, tus metadata), checked against the bytes. */
  declaredType: string | undefined;
  maxBytes: number;
  allowed: AllowedTypes;
  /** Where the bytes come from: a failing client is the client's error, a failing store the storage's. */
  from: 'client' | 'storage';
}

export interface IngestedObject {
  key: string;
  size: number;
  sha256: string;
  contentType: string;
}

/**
 * Streams an upload into storage under a new key: its type decided from its first bytes, its
 * size capped, its SHA-256 taken on the way. On any failure nothing is left in storage and the
 * error is the client's (413, 415) or the storage's (503 `storage_unavailable`).
 */
export async function ingest(storage: StorageDriver, source: Readable, options: IngestOptions): Promise<IngestedObject> {
  const key = newObjectKey();
  const { head, whole } = await splitHead(source, SNIFF_BYTES).catch((error: unknown) => {
    throw options.from === 'client' ? clientError(error) : storageError(error);
  });
  let contentType: string;
  try {
    contentType = await decideContentType(head, options.declaredType, options.allowed);
  } catch (error) {
    whole.destroy();
    throw error;
  }
  const meter = new Meter(options.maxBytes);
  let sourceFailure: unknown;
  whole.once('error', (error) => {
    sourceFailure = error;
    meter.destroy(error);
  });
  try {
    await storage.put(key, whole.pipe(meter), { contentType });
  } catch (error) {
    whole.destroy();
    await storage.delete(key).catch(() => undefined);
    // The client's fault (too large, gone) when the bytes failed; else the storage's.
    throw sourceFailure !== undefined && options.from === 'client' ? clientError(sourceFailure) : meter.failure instanceof AppError ? meter.failure : storageError(error);
  }
  return { key, size: meter.counted, sha256: meter.digest(), contentType };
}

/** Counts and hashes what passes, and fails the stream past the size limit. */
class Meter extends Transform {
  // Not `size`: the AWS SDK takes a body's `size` for its length.
  counted = 0;
  failure: unknown;
  private readonly hash = createHash('sha256');

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.counted += chunk.length;
    if (this.counted > this.maxBytes) {
      this.failure = tooLarge(this.maxBytes);
      callback(this.failure as Error);
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.failure ??= error ?? undefined;
    callback(error);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', `A file may hold at most ${maxBytes} bytes.`, { maxBytes });
}

/** What failed the bytes on their way in. */
function clientError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // @fastify/multipart's file stream past its fileSize limit.
  if ((error as { code?: unknown } | undefined)?.code === 'FST_REQ_FILE_TOO_LARGE') return new AppError('payload_too_large', 'The file is larger than a file may be.');
  return new AppError('validation_failed', 'The upload ended before the file was complete.');
}

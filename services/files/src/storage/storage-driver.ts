import type { Readable } from 'node:stream';

/** Inclusive byte positions, as in HTTP's Range. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live. Every method streams: nothing holds a whole file in memory. Keys come
 * from `newObjectKey()` (see object-key.ts).
 */
export interface StorageDriver {
  readonly kind: 'local' | 's3';
  /** Makes the place ready (folder, bucket). */
  open(): Promise<void>;
  /**
   * Stores the stream under `key`; resolves once every byte is stored. When the stream or the
   * store fails, nothing is left under `key` and the promise rejects.
   */
  put(key: string, body: Readable, options: { contentType: string }): Promise<void>;
  /** The bytes of `key`, or of one range of them. */
  read(key: string, range?: ByteRange): Promise<Readable>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Whether the place answers (readiness). */
  isUp(): Promise<boolean>;
  close(): void;
}

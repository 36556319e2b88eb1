import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathInside } from './object-key.js';
import type { ByteRange, StorageDriver } from './storage-driver.js';

/** Files under a folder (embedded shape: NP_DATA_DIR/files). A file appears under its key only once it is whole. */
export class LocalDiskDriver implements StorageDriver {
  readonly kind = 'local';

  constructor(private readonly root: string) {}

  async open(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o700 });
  }

  async put(key: string, body: Readable): Promise<void> {
    const path = pathInside(this.root, key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const partial = `${path}.${randomBytes(6).toString('hex')}.partial`;
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const path = pathInside(this.root, key);
    await access(path);
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await rm(pathInside(this.root, key), { force: true });
  }

  async isUp(): Promise<boolean> {
    return access(this.root).then(
      () => true,
      () => false,
    );
  }

  close(): void {
    // Nothing held open between calls.
  }
}

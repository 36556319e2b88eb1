import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { testS3Server } from '@np/testing';
import { createS3Client, LocalDiskDriver, S3Driver, type StorageDriver } from '../src/index.js';
import { newObjectKey } from '../src/storage/object-key.js';

// Both storage drivers against the real thing: a folder, and the versitygw server of tools/servers-up.sh.
const folder = mkdtempSync(join(tmpdir(), 'np-files-driver-'));
const bucket = `np-driver-${Date.now().toString(36)}`;
const s3 = testS3Server();
const drivers: [string, StorageDriver][] = [
  ['local disk', new LocalDiskDriver(folder)],
  ['S3', new S3Driver(createS3Client({ url: s3.url, region: s3.region, accessKey: s3.accessKey, secretKey: s3.secretKey }), { bucket, partBytes: 5 * 1024 * 1024, createBucket: true })],
];

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  for (const [, driver] of drivers) await driver.open();
});

afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  const client = createS3Client({ url: s3.url, region: s3.region, accessKey: s3.accessKey, secretKey: s3.secretKey });
  await client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  client.destroy();
  for (const [, driver] of drivers) driver.close();
});

describe.each(drivers)('the %s driver', (_name, driver) => {
  it('stores a stream under a key and reads it back whole and by range', async () => {
    const key = newObjectKey();
    await driver.put(key, Readable.from([Buffer.from('hello, '), Buffer.from('world')]), { contentType: 'text/plain' });
    await expect(text(await driver.read(key))).resolves.toBe('hello, world');
    await expect(text(await driver.read(key, { start: 7, end: 11 }))).resolves.toBe('world');
    await driver.delete(key);
    await expect(driver.read(key).then(text)).rejects.toBeDefined();
    await expect(driver.delete(key)).resolves.toBeUndefined();
  });

  it('stores a body larger than a part (multipart on S3) with two parts in memory at most', async () => {
    const key = newObjectKey();
    const part = Buffer.alloc(1024 * 1024, 'x');
    await driver.put(key, Readable.from(Array.from({ length: 12 }, () => part)), { contentType: 'application/octet-stream' });
    const read = await driver.read(key, { start: 12 * 1024 * 1024 - 3, end: 12 * 1024 * 1024 - 1 });
    await expect(text(read)).resolves.toBe('xxx');
    await driver.delete(key);
  });

  it('leaves nothing under the key when the stream fails half-way', async () => {
    const key = newObjectKey();
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(6 * 1024 * 1024, 'y');
      throw new Error('the client went away');
    }
    await expect(driver.put(key, Readable.from(failing()), { contentType: 'text/plain' })).rejects.toThrow();
    await expect(driver.read(key).then(text)).rejects.toBeDefined();
  });

  it('refuses a key it did not make', async () => {
    await expect(driver.read('../../etc/passwd')).rejects.toThrow(/Not an object key/);
    await expect(driver.put('objects/../../x', Readable.from([]), { contentType: 'text/plain' })).rejects.toThrow(/Not an object key/);
  });
});

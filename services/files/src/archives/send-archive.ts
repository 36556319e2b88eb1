import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { ZipArchive } from 'archiver';
import type { FastifyReply } from 'fastify';
import type { FileRecord } from '../catalog/file-record.js';
import { dispositionOf } from '../downloads/content-headers.js';
import type { StorageDriver } from '../storage/storage-driver.js';
import { entryNames, isCompressed } from './entry-names.js';

/**
 * Streams `records` as one ZIP (archiver, ZIP64 past 4 GiB): one file's bytes are read from
 * storage at a time, as the client reads, so memory stays flat whatever the archive's size. The
 * length is unknown until the end, so there is none; a storage failure half-way cuts the
 * connection and the client is left with a ZIP that does not open, never one that is silently short.
 */
export async function sendArchive(reply: FastifyReply, records: readonly FileRecord[], storage: StorageDriver, options: { fileName: string; withFolders: boolean }): Promise<void> {
  const names = entryNames(records, options.withFolders);
  void reply
    .header('content-type', 'application/zip')
    .header('content-disposition', dispositionOf(options.fileName, 'attachment'))
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff');
  reply.hijack();
  reply.raw.writeHead(200, reply.getHeaders() as Record<string, string>);
  const archive = new ZipArchive({ zlib: { level: 6 } });
  const sent = pipeline(archive, reply.raw);
  // Seen below; without this a failure before then would be an unhandled rejection.
  sent.catch(() => undefined);
  try {
    for (const [index, record] of records.entries()) {
      const body = await storage.read(record.objectKey);
      const added = once(archive, 'entry');
      archive.append(body, { name: names[index]!, date: record.createdAt, store: isCompressed(record.contentType) });
      await added;
    }
    await archive.finalize();
    await sent;
  } catch {
    archive.abort();
    reply.raw.destroy();
  }
}

import { pipeline } from 'node:stream/promises';
import { AppError } from '@np/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Disposition } from '../contracts/index.js';
import type { FileRecord } from '../catalog/file-record.js';
import type { StorageDriver } from '../storage/storage-driver.js';
import { storageError } from '../uploads/storage-error.js';
import { dispositionOf, etagOf, matchesIfNoneMatch, rangeOf } from './content-headers.js';

export interface ContentAnswer {
  disposition: Disposition;
  cacheControl: string;
}

/**
 * Answers a file's bytes, streamed from storage: 200 with the whole file, 206 with one range,
 * 304 when the client has these bytes already, 416 for a range past the end. The bytes are sent
 * sandboxed (no script of an uploaded HTML or SVG runs in the API's origin).
 */
export async function sendContent(request: FastifyRequest, reply: FastifyReply, record: FileRecord, storage: StorageDriver, answer: ContentAnswer): Promise<void> {
  const etag = etagOf(record.sha256);
  void reply
    .header('etag', etag)
    .header('accept-ranges', 'bytes')
    .header('cache-control', answer.cacheControl)
    .header('last-modified', record.createdAt.toUTCString())
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('content-disposition', dispositionOf(record.name, answer.disposition));
  if (matchesIfNoneMatch(header(request, 'if-none-match'), etag)) {
    await reply.code(304).send();
    return;
  }
  const wanted = rangeOf(header(request, 'range'), record.size, header(request, 'if-range'), etag);
  if (wanted.kind === 'unsatisfiable') {
    void reply.header('content-range', `bytes */${record.size}`);
    throw new AppError('range_not_satisfiable', `The file has ${record.size} bytes; the range asks for others.`, { size: record.size });
  }
  const range = wanted.kind === 'partial' ? wanted.range : undefined;
  const length = range ? range.end - range.start + 1 : record.size;
  void reply.header('content-type', record.contentType).header('content-length', String(length));
  if (range) void reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${record.size}`);
  if (request.method === 'HEAD' || length === 0) {
    await reply.send();
    return;
  }
  const body = await storage.read(record.objectKey, range).catch((error: unknown) => {
    throw isMissing(error) ? new AppError('not_found', `The bytes of file ${record.id} are gone.`) : storageError(error);
  });
  // Hijacked: the stream goes straight to the socket, and a storage failure mid-way cuts the
  // connection (the client sees a short body, never a complete-looking wrong one).
  reply.hijack();
  reply.raw.writeHead(reply.statusCode, reply.getHeaders() as Record<string, string>);
  await pipeline(body, reply.raw).catch(() => {
    reply.raw.destroy();
  });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown; name?: unknown } | undefined)?.code ?? (error as { name?: unknown } | undefined)?.name;
  return code === 'ENOENT' || code === 'NoSuchKey' || code === 'NotFound';
}

import { create as contentDisposition } from 'content-disposition';
import rangeParser from 'range-parser';
import type { Disposition } from '../contracts/index.js';
import type { ByteRange } from '../storage/storage-driver.js';

/** The strong ETag of a file: its SHA-256, so equal bytes answer equal tags across replicas. */
export function etagOf(sha256: string): string {
  return `"${sha256}"`;
}

/** Whether an If-None-Match header names this tag (weak comparison, as RFC 9110 asks for it). */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const tags = header.split(',').map((tag) => tag.trim());
  return tags.includes('*') || tags.some((tag) => tag.replace(/^W\//, '') === etag);
}

export type RangeAnswer = { kind: 'whole' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

/**
 * What a Range header asks of a file of `size` bytes: one satisfiable range → 206; none
 * satisfiable → 416; no header, a malformed one, several ranges, or an If-Range naming another
 * version → the whole file (a server may ignore Range).
 */
export function rangeOf(header: string | undefined, size: number, ifRange: string | undefined, etag: string): RangeAnswer {
  if (header === undefined || (ifRange !== undefined && ifRange !== etag)) return { kind: 'whole' };
  // A header that is not a byte-range set at all is ignored, not refused.
  if (!/^bytes=\s*(\d+-\d*|-\d+)(\s*,\s*(\d+-\d*|-\d+))*\s*$/.test(header)) return { kind: 'whole' };
  const parsed = rangeParser(size, header, { combine: true });
  if (parsed === -1) return { kind: 'unsatisfiable' };
  if (parsed === -2 || parsed.type !== 'bytes' || parsed.length !== 1) return { kind: 'whole' };
  const [range] = parsed;
  return range ? { kind: 'partial', range: { start: range.start, end: range.end } } : { kind: 'whole' };
}

/** `attachment; filename="…"; filename*=UTF-8''…`: an ASCII fallback and the exact name, both quoted safely. */
export function dispositionOf(name: string, disposition: Disposition): string {
  return contentDisposition(name, { type: disposition });
}

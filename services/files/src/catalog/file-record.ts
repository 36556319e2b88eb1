import type { FileMetadata } from '../contracts/index.js';

/** A file as stored: its metadata and where its bytes are. */
export interface FileRecord {
  id: string;
  objectKey: string;
  name: string;
  folder: string;
  size: number;
  contentType: string;
  sha256: string;
  public: boolean;
  ownerId: string;
  createdAt: Date;
  /** 1 as uploaded, one more on each change of its metadata (the order of its events). */
  version: number;
}

export function toFileMetadata(record: FileRecord): FileMetadata {
  return {
    id: record.id,
    name: record.name,
    folder: record.folder,
    size: record.size,
    contentType: record.contentType,
    sha256: record.sha256,
    public: record.public,
    ownerId: record.ownerId,
    createdAt: record.createdAt.toISOString(),
  };
}

import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, decodePageCursor, encodePageCursor, type Principal } from '@np/contracts';
import { domainEvent, type OutboxSignal } from '@np/messaging';
import { OUTBOX, SETTINGS } from '@np/runtime';
import type { Disposition, FileMetadata } from '../contracts/index.js';
import { LinkSigner, newLinkKey, type LinkGrant } from '../links/link-signer.js';
import { safeFileName, safeFolder } from '../names/safe-names.js';
import type { FilesSettings } from '../settings.js';
import { assertDeletable, assertVisible, mayReadAll } from './file-access.js';
import { type FileRecord, toFileMetadata } from './file-record.js';
import { FilesRepository, type FilesStore } from './files.repository.js';

/** What an upload says about itself besides its bytes. */
export interface UploadDescription {
  name: string | undefined;
  folder: string | undefined;
  public: boolean;
}

/** Bytes already in storage under `key`, as the ingest measured them. */
export interface StoredBytes {
  key: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface ListRequest {
  limit: number;
  cursor?: string | undefined;
  folder?: string | undefined;
  q?: string | undefined;
}

type CatalogSettings = Pick<FilesSettings, 'NP_FILES_QUOTA_BYTES' | 'NP_PUBLIC_URL'>;

/**
 * The files' metadata and who may reach it: listing, reading, deleting, quotas, signed links.
 * The bytes are elsewhere (storage drivers); a file is listed only once its bytes are whole.
 */
@Injectable()
export class FilesService {
  private signer: Promise<LinkSigner> | undefined;

  constructor(
    @Inject(FilesRepository) private readonly store: FilesStore,
    @Inject(SETTINGS) private readonly settings: CatalogSettings,
    @Inject(OUTBOX) private readonly outbox: OutboxSignal,
  ) {}

  async list(principal: Principal, request: ListRequest): Promise<{ items: FileMetadata[]; nextCursor: string | null }> {
    const records = await this.store.list({
      limit: request.limit + 1,
      ...(mayReadAll(principal) ? {} : { ownerId: principal.sub }),
      ...(request.folder === undefined ? {} : { folder: safeFolder(request.folder) }),
      ...(request.q === undefined ? {} : { q: request.q }),
      ...(request.cursor === undefined ? {} : { cursor: decodePageCursor(request.cursor) }),
    });
    const page = records.slice(0, request.limit);
    const last = page.at(-1);
    return { items: page.map(toFileMetadata), nextCursor: records.length > request.limit && last ? encodePageCursor(last) : null };
  }

  async get(principal: Principal, id: string): Promise<FileRecord> {
    return assertVisible(await this.store.findById(id), principal, id);
  }

  /** The files among `ids` that `userId` may read (their own and public ones; null: public ones only), for another module's check. */
  async readableBy(ids: readonly string[], userId: string | null): Promise<{ id: string; size: number; contentType: string }[]> {
    const records = await this.store.findByIds([...new Set(ids)]);
    return records.filter((record) => record.public || (userId !== null && record.ownerId === userId)).map((record) => ({ id: record.id, size: record.size, contentType: record.contentType }));
  }

  /** A public file, for anyone; any other is not found. */
  async getPublic(id: string): Promise<FileRecord> {
    const record = await this.store.findById(id);
    if (!record?.public) throw new AppError('not_found', `No public file ${id}.`);
    return record;
  }

  /** The file a signed link names, once its signature and time are checked. */
  async getLinked(grant: LinkGrant, signature: string): Promise<FileRecord> {
    (await this.linkSigner()).verify(grant, signature);
    const record = await this.store.findById(grant.id);
    if (!record) throw new AppError('not_found', `No file ${grant.id}.`);
    return record;
  }

  /** Deletes the metadata (with its event); answers the record so the caller removes the bytes after the commit. */
  async delete(principal: Principal, id: string): Promise<FileRecord> {
    assertDeletable(await this.get(principal, id), principal);
    const removed = await this.store.transaction(async (tx) => {
      const record = await tx.remove(id);
      if (!record) throw new AppError('not_found', `No file ${id}.`);
      await tx.appendEvent(domainEvent('files.file.deleted', { id, ownerId: record.ownerId, size: record.size, deletedBy: principal.sub }));
      return record;
    });
    this.outbox.kick();
    return removed;
  }

  async createLink(principal: Principal, request: { id: string; expiresInSeconds: number; disposition: Disposition }): Promise<{ url: string; expiresAt: string }> {
    await this.get(principal, request.id);
    const expires = Math.floor(Date.now() / 1000) + request.expiresInSeconds;
    const grant: LinkGrant = { id: request.id, expires, disposition: request.disposition };
    const signature = (await this.linkSigner()).sign(grant);
    const query = new URLSearchParams({ expires: String(expires), disposition: request.disposition, signature });
    return { url: `${this.settings.NP_PUBLIC_URL}/public/files/links/${request.id}?${query.toString()}`, expiresAt: new Date(expires * 1000).toISOString() };
  }

  async usage(): Promise<{ bytes: number; files: number; quotaBytes: number | null }> {
    const usage = await this.store.usage();
    return { ...usage, quotaBytes: this.quota() };
  }

  /** Before any byte is read: refuses an upload whose announced size cannot fit. */
  async assertFits(size: number): Promise<void> {
    const quota = this.quota();
    if (quota === null) return;
    const usage = await this.store.usage();
    if (usage.bytes + size > quota) throw quotaExceeded(quota, usage.bytes);
  }

  /**
   * Lists stored bytes as a file, with its `files.file.uploaded` event, within the quota (checked
   * again here, with concurrent uploads taking turns). On refusal the caller deletes the bytes.
   */
  async record(owner: Principal, bytes: StoredBytes, description: UploadDescription, id: string = randomUUID()): Promise<FileRecord> {
    const record: FileRecord = {
      id,
      objectKey: bytes.key,
      name: safeFileName(description.name),
      folder: safeFolder(description.folder),
      size: bytes.size,
      contentType: bytes.contentType,
      sha256: bytes.sha256,
      public: description.public,
      ownerId: owner.sub,
      createdAt: new Date(),
    };
    const quota = this.quota();
    await this.store.transaction(async (tx) => {
      if (quota !== null) {
        const usage = await tx.lockUsage();
        if (usage.bytes + record.size > quota) throw quotaExceeded(quota, usage.bytes);
      }
      await tx.insert(record);
      await tx.appendEvent(domainEvent('files.file.uploaded', toFileMetadata(record)));
    });
    this.outbox.kick();
    return record;
  }

  private quota(): number | null {
    return this.settings.NP_FILES_QUOTA_BYTES > 0 ? this.settings.NP_FILES_QUOTA_BYTES : null;
  }

  private linkSigner(): Promise<LinkSigner> {
    this.signer ??= this.store.linkKey(newLinkKey).then((key) => new LinkSigner(key));
    // A failed read (database down) is tried again next time.
    this.signer.catch(() => (this.signer = undefined));
    return this.signer;
  }
}

function quotaExceeded(quotaBytes: number, usedBytes: number): AppError {
  return new AppError('quota_exceeded', "The file does not fit in the tenant's storage quota.", { quotaBytes, usedBytes });
}

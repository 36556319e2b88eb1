import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppError, decodePageCursor, encodePageCursor, type Principal } from '@np/contracts';
import { domainEvent, type OutboxSignal } from '@np/messaging';
import { OUTBOX, SETTINGS } from '@np/runtime';
import { type Disposition, type FileMetadata, MAX_ARCHIVE_FILES } from '../contracts/index.js';
import { LinkSigner, newLinkKey, type LinkGrant, type UploadGrant } from '../links/link-signer.js';
import { safeFileName, safeFolder } from '../names/safe-names.js';
import type { FilesSettings } from '../settings.js';
import { assertChangeable, assertVisible, mayReadAll } from './file-access.js';
import { type FileRecord, toFileMetadata } from './file-record.js';
import { type FileChanges, FilesRepository, type FilesStore } from './files.repository.js';

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
/** How long an upload grant may wait for its first byte. */
const UPLOAD_GRANT_SECONDS = 600;

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

  /**
   * The files of one archive: those of `ids` (each one the caller sees, else not_found), or every
   * file of `folder` the caller would list, newest first; at most MAX_ARCHIVE_FILES.
   */
  async archived(principal: Principal, request: { ids: string[] } | { folder: string }): Promise<FileRecord[]> {
    if ('ids' in request) {
      const ids = [...new Set(request.ids.map((id) => id.toLowerCase()))];
      if (ids.length > MAX_ARCHIVE_FILES) throw tooManyForArchive(ids.length);
      // One query for all of them; each must be one the caller sees, in the order asked.
      const found = new Map((await this.store.findByIds(ids)).map((record) => [record.id, record]));
      return ids.map((id) => assertVisible(found.get(id) ?? null, principal, id));
    }
    const records = await this.store.list({
      limit: MAX_ARCHIVE_FILES + 1,
      folder: safeFolder(request.folder),
      ...(mayReadAll(principal) ? {} : { ownerId: principal.sub }),
    });
    if (records.length > MAX_ARCHIVE_FILES) throw tooManyForArchive(records.length);
    return records;
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

  /**
   * Renames, moves or makes public or private (with its `files.file.updated` event). The name and
   * folder are cleaned as an upload's are; a request that changes nothing writes nothing.
   */
  async update(principal: Principal, request: { id: string; name?: string | undefined; folder?: string | undefined; public?: boolean | undefined }): Promise<FileRecord> {
    const current = await this.get(principal, request.id);
    assertChangeable(current, principal, 'change');
    const changes: FileChanges = {
      ...(request.name === undefined ? {} : { name: safeFileName(request.name) }),
      ...(request.folder === undefined ? {} : { folder: safeFolder(request.folder) }),
      ...(request.public === undefined ? {} : { public: request.public }),
    };
    if (Object.entries(changes).every(([field, value]) => current[field as keyof FileChanges] === value)) return current;
    const updated = await this.store.transaction(async (tx) => {
      const record = await tx.update(request.id, changes);
      if (!record) throw new AppError('not_found', `No file ${request.id}.`);
      await tx.appendEvent(domainEvent('files.file.updated', { ...toFileMetadata(record), version: record.version, updatedBy: principal.sub }));
      return record;
    });
    this.outbox.kick();
    return updated;
  }

  /** Deletes the metadata (with its event); answers the record so the caller removes the bytes after the commit. */
  async delete(principal: Principal, id: string): Promise<FileRecord> {
    assertChangeable(await this.get(principal, id), principal, 'delete');
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

  /**
   * Leaves one upload to the module that asked (reports, as the bus vouches): a signed grant to
   * store a new file of `ownerId` through the data listener, valid UPLOAD_GRANT_SECONDS.
   */
  async createUploadGrant(request: { ownerId: string; name: string; folder: string }): Promise<{ fileId: string; path: string; expiresAt: string }> {
    const expires = Math.floor(Date.now() / 1000) + UPLOAD_GRANT_SECONDS;
    const grant: UploadGrant = { fileId: randomUUID(), ownerId: request.ownerId, name: request.name, folder: request.folder, expires };
    const signature = (await this.linkSigner()).signUpload(grant);
    const query = new URLSearchParams({ owner: grant.ownerId, name: grant.name, folder: grant.folder, expires: String(expires), signature });
    return { fileId: grant.fileId, path: `/internal/files/grants/${grant.fileId}?${query.toString()}`, expiresAt: new Date(expires * 1000).toISOString() };
  }

  /** Throws 403 `link_invalid` for a forged or expired grant, 409 `conflict` for one already used. */
  async checkUploadGrant(grant: UploadGrant, signature: string): Promise<void> {
    (await this.linkSigner()).verifyUpload(grant, signature);
    if (await this.store.findById(grant.fileId)) throw new AppError('conflict', 'This upload grant has been used.');
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
      version: 1,
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

function tooManyForArchive(count: number): AppError {
  return new AppError('validation_failed', `One archive holds at most ${MAX_ARCHIVE_FILES} files; this one would hold ${count === MAX_ARCHIVE_FILES + 1 ? 'more' : count}.`, {
    maxFiles: MAX_ARCHIVE_FILES,
  });
}

function quotaExceeded(quotaBytes: number, usedBytes: number): AppError {
  return new AppError('quota_exceeded', "The file does not fit in the tenant's storage quota.", { quotaBytes, usedBytes });
}

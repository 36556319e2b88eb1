import { z } from 'zod';

/** A stored file's metadata: what every route answers about it. The name is metadata only, never a path. */
export const fileSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  folder: z.string(),
  size: z.number().int().min(0),
  contentType: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  public: z.boolean(),
  ownerId: z.uuid(),
  createdAt: z.iso.datetime(),
});
export type FileMetadata = z.infer<typeof fileSchema>;

export const fileIdParamsSchema = z.strictObject({ id: z.uuid() });

export const listFilesQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional(),
  folder: z.string().max(1024).optional(),
  q: z.string().trim().min(1).max(200).optional(),
});

/** The most files one ZIP archive holds. */
export const MAX_ARCHIVE_FILES = 1000;

/** One ZIP of many files: every file of a folder the caller sees, or the files named by id. */
export const archiveQuerySchema = z
  .strictObject({
    folder: z.string().max(1024).optional(),
    /** Comma-separated file ids. */
    ids: z
      .string()
      .regex(/^[0-9a-fA-F-]{36}(,[0-9a-fA-F-]{36})*$/, 'comma-separated file ids')
      .max(MAX_ARCHIVE_FILES * 37)
      .optional(),
  })
  .refine((query) => (query.folder === undefined) !== (query.ids === undefined), { message: 'Give either `folder` or `ids`.' });

export const fileListSchema = z.object({
  items: z.array(fileSchema),
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: z.string().nullable(),
});

/**
 * What `PATCH /v1/files/:id` may change: the name (cleaned as an upload's is), the folder (a move)
 * and whether it is public. The bytes, and so the size, type and hash, never change.
 */
const updateFileFields = z.strictObject({
  name: z.string().min(1).max(255).optional(),
  folder: z.string().max(1024).optional(),
  public: z.boolean().optional(),
});

export const updateFileBodySchema = updateFileFields.refine((body) => body.name !== undefined || body.folder !== undefined || body.public !== undefined, {
  message: 'Give at least one of `name`, `folder` and `public`.',
});

export const updateFileRequestSchema = updateFileFields.extend({ id: z.uuid() });

export const DISPOSITIONS = ['inline', 'attachment'] as const;
export const dispositionSchema = z.enum(DISPOSITIONS);
export type Disposition = z.infer<typeof dispositionSchema>;

/** At most a week: a link cannot be taken back before it expires. */
export const MAX_LINK_SECONDS = 7 * 24 * 3600;

export const createLinkBodySchema = z.strictObject({
  expiresInSeconds: z.number().int().min(1).max(MAX_LINK_SECONDS).default(3600),
  disposition: dispositionSchema.default('attachment'),
});

export const createLinkRequestSchema = createLinkBodySchema.extend({ id: z.uuid() });

export const fileLinkSchema = z.object({ url: z.url(), expiresAt: z.iso.datetime() });

export const usageSchema = z.object({
  bytes: z.number().int().min(0),
  files: z.number().int().min(0),
  /** null: no quota. */
  quotaBytes: z.number().int().min(0).nullable(),
});

export const emptySchema = z.strictObject({});

/** At most this many ids in one access check (a form's file fields). */
export const MAX_ACCESS_CHECK_IDS = 100;

/** Which of `ids` the user may read (own files and public ones; `userId` null: an anonymous caller, public ones only). */
export const accessCheckRequestSchema = z.strictObject({
  ids: z.array(z.uuid()).max(MAX_ACCESS_CHECK_IDS),
  userId: z.uuid().nullable(),
});
export const accessCheckReplySchema = z.object({
  files: z.array(z.object({ id: z.uuid(), size: z.number().int().min(0), contentType: z.string() })),
});
export type AccessCheckReply = z.infer<typeof accessCheckReplySchema>;

/** The payloads of the module's events. */
export const fileUploadedEventSchema = fileSchema;
/** The file as it now is; `version` counts its changes (1: as uploaded), so a projection keeps the newest. */
export const fileUpdatedEventSchema = fileSchema.extend({ version: z.number().int().min(2), updatedBy: z.uuid() });
export const fileDeletedEventSchema = z.object({ id: z.uuid(), ownerId: z.uuid(), size: z.number().int().min(0), deletedBy: z.uuid() });

/** The query of a signed link (see POST /v1/files/:id/links). */
export const signedLinkQuerySchema = z.object({
  expires: z.string().regex(/^\d{1,12}$/),
  disposition: dispositionSchema,
  signature: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

/**
 * `files.upload-grants.create` (reports only): leave to the caller one upload into the data
 * listener, as a file of `ownerId` with this name. The bytes then go to `PUT <data listener><path>`.
 */
export const createUploadGrantCommandSchema = z.strictObject({
  ownerId: z.uuid(),
  name: z.string().min(1).max(255),
  folder: z.string().max(1024).default(''),
});
export const uploadGrantSchema = z.object({ fileId: z.uuid(), path: z.string(), expiresAt: z.iso.datetime() });
export type UploadGrantReply = z.infer<typeof uploadGrantSchema>;

/** The query of a granted upload (see createUploadGrantCommandSchema). */
export const grantedUploadQuerySchema = z.object({
  owner: z.uuid(),
  name: z.string().min(1).max(255),
  folder: z.string().max(1024).default(''),
  expires: z.string().regex(/^\d{1,12}$/),
  signature: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

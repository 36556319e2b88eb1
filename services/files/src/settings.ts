import { bool, busSettingsSchema, databaseSettingsSchema, port, positiveInt, processSettingsSchema, url, withIssuer } from '@np/config';
import { moduleEntry } from '@np/modules';
import { z } from 'zod';

const MIB = 1024 * 1024;
const entry = moduleEntry('files');

/** The content types stored unless NP_FILES_ALLOWED_TYPES says otherwise: documents, images, audio, video, archives, text. */
export const DEFAULT_ALLOWED_TYPES =
  'image/*,audio/*,video/*,text/plain,text/csv,application/pdf,application/zip,application/gzip,application/json,application/octet-stream,' +
  'application/vnd.openxmlformats-officedocument.*,application/vnd.oasis.opendocument.*,application/msword,application/vnd.ms-excel';

export const filesSettingsSchema = processSettingsSchema
  .extend(busSettingsSchema.shape)
  .extend(databaseSettingsSchema.shape)
  .extend({
    NP_FILES_SCHEMA: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase SQL identifier')
      .default(entry.schema),
    /** `local`: under NP_DATA_DIR/files; `s3`: the NP_S3_* server. Unset: s3 when NP_S3_URL is given, else local. */
    NP_FILES_STORAGE: z.enum(['local', 's3']).optional(),
    NP_DATA_DIR: z.string().min(1).default('.data'),
    NP_S3_URL: url(['http', 'https']).optional(),
    NP_S3_REGION: z.string().min(1).default('us-east-1'),
    NP_S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
      .default('np-files'),
    NP_S3_ACCESS_KEY: z.string().min(1).optional(),
    NP_S3_SECRET_KEY: z.string().min(1).optional(),
    /** The data listener (uploads and downloads, proxied by the gateway). */
    NP_FILES_DATA_PORT: port(entry.localHttpPort),
    NP_FILES_DATA_HOST: z.string().min(1).default('127.0.0.1'),
    NP_FILES_MAX_BYTES: positiveInt(100 * MIB),
    /** Bytes all of the tenant's files may take together; 0: no quota. */
    NP_FILES_QUOTA_BYTES: z.coerce.number().int().min(0).default(0),
    /** Comma-separated media types, `type/*` for a whole family. */
    NP_FILES_ALLOWED_TYPES: z.string().default(DEFAULT_ALLOWED_TYPES),
    /** `Cache-Control: public, max-age=` of public files. */
    NP_FILES_PUBLIC_MAX_AGE_SECONDS: z.coerce.number().int().min(0).default(3600),
    /** An unfinished resumable upload untouched this long expires and its parts are deleted. */
    NP_FILES_UPLOAD_EXPIRY_SECONDS: positiveInt(24 * 3600),
    /** How often expired uploads are looked for. */
    NP_FILES_UPLOAD_SWEEP_SECONDS: positiveInt(600),
    /** Size of the parts a resumable upload is stored in on S3 (S3's minimum is 5 MiB). */
    NP_FILES_PART_BYTES: positiveInt(8 * MIB),
    /** Make the bucket when it is missing (the operator makes it in a cluster, where the key may not). */
    NP_S3_CREATE_BUCKET: bool(true),
  })
  .transform((settings) => ({ ...withIssuer(settings), NP_FILES_STORAGE: settings.NP_FILES_STORAGE ?? (settings.NP_S3_URL === undefined ? 'local' : 's3') }))
  .superRefine((settings, context) => {
    if (settings.NP_FILES_STORAGE !== 's3') return;
    for (const key of ['NP_S3_URL', 'NP_S3_ACCESS_KEY', 'NP_S3_SECRET_KEY'] as const) {
      if (settings[key] === undefined) context.addIssue({ code: 'custom', path: [key], message: `is required with NP_FILES_STORAGE=s3` });
    }
  });

export type FilesSettings = z.output<typeof filesSettingsSchema>;

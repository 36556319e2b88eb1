import { AppError } from '@np/contracts';
import { isDatabaseUnavailable } from '@np/persistence';

/** The Fastify and @fastify/multipart errors a client can cause, in the platform's codes. */
const CLIENT_ERRORS: Readonly<Record<string, () => AppError>> = {
  FST_INVALID_MULTIPART_CONTENT_TYPE: () => new AppError('unsupported_media_type', 'An upload must be multipart/form-data.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new AppError('unsupported_media_type', 'An upload must be multipart/form-data.'),
  FST_REQ_FILE_TOO_LARGE: () => new AppError('payload_too_large', 'The file is larger than a file may be.'),
  FST_FILES_LIMIT: () => new AppError('validation_failed', 'An upload holds one file, in the field `file`.'),
  FST_PARTS_LIMIT: () => new AppError('validation_failed', 'The upload has too many parts.'),
  FST_FIELDS_LIMIT: () => new AppError('validation_failed', 'The upload has too many fields.'),
  FST_PROTO_VIOLATION: () => new AppError('validation_failed', 'The upload has a field name that is not allowed.'),
  FST_ERR_BAD_URL: () => new AppError('validation_failed', 'The request path is not validly percent-encoded UTF-8.'),
};

/** Anything thrown while serving a data route, as the error the client gets (unknown ones: internal_error, logged by the caller). */
export function toDataError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (isDatabaseUnavailable(error)) return new AppError('database_unavailable', 'The database is unavailable; retry the request shortly.');
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') {
    const mapped = CLIENT_ERRORS[code];
    if (mapped) return mapped();
  }
  // Busboy's own complaints about a malformed body.
  if (error instanceof Error && /^(Malformed|Unexpected end of form|Multipart: Boundary not found)/.test(error.message)) {
    return new AppError('validation_failed', 'The multipart body is malformed.');
  }
  return new AppError('internal_error', 'Unexpected error.');
}

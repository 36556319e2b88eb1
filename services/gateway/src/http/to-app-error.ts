import { HttpException } from '@nestjs/common';
import { AppError } from '@np/contracts';

/** Fastify's own error codes that a client can cause, and what we answer for each. */
const FASTIFY_ERRORS: Record<string, () => AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new AppError('payload_too_large', 'The request body is larger than this API accepts.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new AppError('unsupported_media_type', 'The request body must be application/json.'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => new AppError('validation_failed', 'The Content-Length header does not match the body.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new AppError('invalid_json', 'The request body is empty but declared as JSON.'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => new AppError('invalid_json', 'The request body is not valid JSON.'),
  // Raised by the router before any hook runs (see frameworkErrors in start-gateway.ts).
  FST_ERR_BAD_URL: () => new AppError('validation_failed', 'The request path is not validly percent-encoded UTF-8.'),
  FST_ERR_MAX_PARAM_LENGTH: () => new AppError('uri_too_long', 'A path segment of the request is longer than this API accepts.'),
  // @fastify/static refuses a path that is not in canonical form (`//x`, `a/../b`): it names no file.
  FST_STATIC_FORBIDDEN_PATH: () => new AppError('route_not_found', 'No such route.'),
};

const HTTP_STATUS_ERRORS: Record<number, () => AppError> = {
  400: () => new AppError('validation_failed', 'The request is malformed.'),
  403: () => new AppError('forbidden', 'Access to this resource is not allowed.'),
  404: () => new AppError('route_not_found', 'No such route.'),
  405: () => new AppError('method_not_allowed', 'This route does not accept that method.'),
  408: () => new AppError('request_timeout', 'The request was not received in time.'),
  413: () => new AppError('payload_too_large', 'The request body is larger than this API accepts.'),
  414: () => new AppError('uri_too_long', 'The request URI is longer than this API accepts.'),
  415: () => new AppError('unsupported_media_type', 'The request body must be application/json.'),
};

/**
 * Maps anything thrown while serving a request to a domain error. Unknown errors become
 * `internal_error` and are reported as such (the caller logs them); nothing leaks internals.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // Nest wraps Fastify's own client errors (body parsing, limits) in an HttpException.
  const cause = error instanceof HttpException ? error.cause : error;
  if (isFastifyError(cause)) {
    const mapped = FASTIFY_ERRORS[cause.code];
    if (mapped) return mapped();
  }
  const status = error instanceof HttpException ? error.getStatus() : isFastifyError(error) ? error.statusCode : undefined;
  return (status === undefined ? undefined : HTTP_STATUS_ERRORS[status]?.()) ?? new AppError('internal_error', 'Unexpected error.');
}

function isFastifyError(error: unknown): error is Error & { code: string; statusCode?: number } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string';
}

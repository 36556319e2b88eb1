/**
 * Every error the platform returns carries one of these codes. They are part of the public
 * contract: clients branch on them, so a code is never renamed, only added.
 */
export const ERROR_HTTP_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_credentials: 401,
  token_missing: 401,
  token_invalid: 401,
  token_expired: 401,
  tenant_mismatch: 401,
  token_revoked: 401,
  refresh_token_invalid: 401,
  refresh_token_reused: 401,
  forbidden: 403,
  current_password_invalid: 403,
  link_invalid: 403,
  not_found: 404,
  route_not_found: 404,
  module_not_enabled: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  precondition_failed: 412,
  email_taken: 409,
  conflict: 409,
  last_admin: 409,
  form_not_published: 409,
  payload_too_large: 413,
  quota_exceeded: 413,
  result_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  unsupported_file_type: 415,
  range_not_satisfiable: 416,
  rate_limited: 429,
  login_throttled: 429,
  internal_error: 500,
  module_unavailable: 503,
  bus_unavailable: 503,
  not_ready: 503,
  shutting_down: 503,
  database_unavailable: 503,
  identity_provider_unavailable: 503,
  storage_unavailable: 503,
  module_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_HTTP_STATUS;

export const ERROR_CODES = Object.keys(ERROR_HTTP_STATUS) as ErrorCode[];

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_HTTP_STATUS[code];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_HTTP_STATUS, value);
}

import { AppError } from '@np/contracts';

/**
 * SQLSTATEs that say the server cannot serve us right now, whatever the query: class 08
 * (connection exception) is matched by prefix; these are the others.
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Socket errors of the connection to the server. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * What `pg`, `pg-pool` and Kysely say, without a code, when a connection died under a query,
 * none could be had from the pool in time, or the pool is being shut down.
 */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/, // "... unexpectedly", "... due to connection timeout"
  /is not queryable/, // a client whose connection already failed or was closed
  /timeout exceeded when trying to connect/, // pool acquire timeout
  /Cannot use a pool after calling end on the pool/,
  /driver has already been destroyed/,
];

const MAX_DEPTH = 5;

/**
 * True when `error` (or what it wraps: `cause`, an AggregateError's `errors`) means the database
 * could not be reached or dropped the connection, as opposed to refusing this query. MikroORM
 * copies the driver error's `code` onto its own exceptions, so both forms are recognised.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH || typeof error !== 'object' || error === null) return false;
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || NETWORK_ERRORS.has(code))) return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return cause !== undefined && isDatabaseUnavailable(cause, depth + 1);
}

/** The domain error a caller gets for a database outage (503); any other error is returned as it is. */
export function toDatabaseUnavailable(error: unknown): unknown {
  if (error instanceof AppError || !isDatabaseUnavailable(error)) return error;
  return new AppError('database_unavailable', 'The database is unavailable; retry the request shortly.');
}

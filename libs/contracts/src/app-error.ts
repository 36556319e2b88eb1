import { z } from 'zod';
import { type ErrorCode, ERROR_CODES, httpStatusOf, isErrorCode } from './error-codes.js';

/** A field-level problem, as returned in `details` of a `validation_failed` error. */
export const fieldIssueSchema = z.object({ path: z.string(), message: z.string(), pointer: z.string().optional() });
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

/** The one error body every endpoint answers with. */
export const errorBodySchema = z.object({
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  details: z.unknown().optional(),
  requestId: z.string(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** A serialisable error: what travels in a failed reply over the bus. */
export interface ErrorPayload {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/**
 * The domain error every service throws. Services never speak HTTP: the gateway maps the code
 * to a status in one place (`httpStatusOf`).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return httpStatusOf(this.code);
  }

  toPayload(): ErrorPayload {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** The HTTP error body of this error: every listener that answers HTTP uses it. */
  toBody(requestId: string): ErrorBody {
    return { ...this.toPayload(), requestId };
  }

  static fromPayload(payload: ErrorPayload): AppError {
    return new AppError(payload.code, payload.message, payload.details);
  }

  /** Reads an error payload that came from elsewhere, trusting nothing about its shape. */
  static fromUnknownPayload(value: unknown): AppError {
    if (typeof value === 'object' && value !== null) {
      const { code, message, details } = value as Record<string, unknown>;
      if (isErrorCode(code) && typeof message === 'string') return new AppError(code, message, details);
    }
    return new AppError('internal_error', 'The module answered with a malformed error.');
  }
}

/** Turns a failed zod parse into a `validation_failed` error listing each failing field. */
export function validationError(error: z.ZodError, where = 'body'): AppError {
  const issues: FieldIssue[] = error.issues.map((issue) => {
    // A schema that locates the problem inside a JSON document it holds says where, as a JSON Pointer.
    const pointer = issue.code === 'custom' ? (issue.params as { pointer?: unknown } | undefined)?.pointer : undefined;
    return { path: [where, ...issue.path.map(String)].join('.'), message: issue.message, ...(typeof pointer === 'string' ? { pointer } : {}) };
  });
  return new AppError('validation_failed', `The request ${where} is invalid.`, issues);
}

/** Parses `value` with `schema`, throwing `validation_failed` on mismatch. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

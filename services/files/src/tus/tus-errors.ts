import { AppError, type ErrorCode } from '@np/contracts';

/** What tus answers for each of its own refusals, in the platform's codes. */
const TUS_STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'validation_failed',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'not_found',
  412: 'validation_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  460: 'validation_failed',
};

/** An error @tus/server answers as it is when a hook throws it (its `status_code` and `body`): the body is the platform's error payload. */
export class TusRefusal extends Error {
  readonly status_code: number;
  readonly body: string;

  constructor(error: AppError) {
    super(error.message, { cause: (error as { cause?: unknown }).cause });
    this.status_code = error.status;
    this.body = JSON.stringify(error.toPayload());
  }
}

export function tusError(error: AppError): TusRefusal {
  return new TusRefusal(error);
}

/**
 * Any error answer of the tus server as the platform's error: the payload a hook threw, or the
 * code of tus's own status with its (short, fixed) text. A 5xx of tus is a store failure.
 */
export function appErrorOfTusAnswer(status: number, body: string | undefined): AppError {
  try {
    const payload: unknown = JSON.parse(body ?? '');
    const error = AppError.fromUnknownPayload(payload);
    if (error.code !== 'internal_error') return error;
  } catch {
    // tus's own plain-text answer
  }
  if (status >= 500) return new AppError('storage_unavailable', 'The file storage did not answer; the upload can be resumed later.');
  const message = (body ?? '').trim().slice(0, 200) || 'The upload request was refused.';
  return new AppError(TUS_STATUS_CODES[status] ?? 'validation_failed', message);
}

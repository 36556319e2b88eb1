import { AppError } from '@np/contracts';

/** One problem with a definition or a submission, at its JSON Pointer (RFC 6901) in the request. */
export interface Problem {
  pointer: string;
  message: string;
}

/** `/a/b` for the path `a`, `b`, with `~` and `/` escaped as RFC 6901 says. */
export function pointerOf(path: readonly (string | number)[]): string {
  return path.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/** At most this many problems are reported: enough to fix a form, never a huge error body. */
export const MAX_PROBLEMS = 50;

export function validationFailed(message: string, problems: readonly Problem[]): AppError {
  return new AppError('validation_failed', message, problems.slice(0, MAX_PROBLEMS));
}

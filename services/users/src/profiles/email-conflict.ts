import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError } from '@np/contracts';

export const EMAIL_UNIQUE_CONSTRAINT = 'users_email_unique';

export function emailTakenError(): AppError {
  return new AppError('email_taken', 'A user with this email already exists.');
}

/**
 * The pre-check for a taken email can lose a race with a concurrent write; the unique index
 * settles it, and this turns its violation into the same domain error.
 */
export function asEmailConflict(error: unknown): unknown {
  if (error instanceof UniqueConstraintViolationException && constraintOf(error) === EMAIL_UNIQUE_CONSTRAINT) {
    return emailTakenError();
  }
  return error;
}

function constraintOf(error: Error): unknown {
  return (error as Error & { constraint?: unknown }).constraint;
}

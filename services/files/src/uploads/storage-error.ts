import { AppError } from '@np/contracts';

/** The storage did not take or give the bytes (down, refusing, cut off). */
export function storageError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const refused = new AppError('storage_unavailable', 'The file storage did not answer; nothing was stored.');
  // For the logs only: never part of the answer.
  Object.defineProperty(refused, 'cause', { value: error, enumerable: false });
  return refused;
}

import { AppError } from '@np/contracts';

/** The storage did not take or give the bytes (down, refusing, cut off). */
export function storageError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  return new AppError('storage_unavailable', 'The file storage did not answer; nothing was stored.');
}

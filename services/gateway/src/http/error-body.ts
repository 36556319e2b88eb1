import { AppError, type ErrorBody } from '@np/contracts';

export function errorBody(error: AppError, requestId: string): ErrorBody {
  return error.details === undefined
    ? { code: error.code, message: error.message, requestId }
    : { code: error.code, message: error.message, details: error.details, requestId };
}

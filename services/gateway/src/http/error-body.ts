import type { AppError, ErrorBody } from '@np/contracts';

export function errorBody(error: AppError, requestId: string): ErrorBody {
  return error.toBody(requestId);
}

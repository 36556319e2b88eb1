import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppError } from '@np/contracts';
import type { AuthenticatedRequest } from './access.guard.js';

/**
 * The verified access token of an `@Authorize` route, to forward with the bus call: the module
 * verifies it again and takes the caller from it, never from the gateway's word.
 */
export const AccessToken = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const token = context.switchToHttp().getRequest<AuthenticatedRequest>().accessToken;
  if (token === undefined) throw new AppError('token_missing', 'An access token is required.');
  return token;
});

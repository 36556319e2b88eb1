import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { AppError, type Principal } from '@np/contracts';
import type { AuthenticatedRequest } from './access.guard.js';

/** The verified caller of an `@Authorize` route. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new AppError('token_missing', 'An access token is required.');
  return principal;
});

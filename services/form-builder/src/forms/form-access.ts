import { hasPermission } from '@np/auth';
import { AppError, type Principal } from '@np/contracts';
import type { FormAccess } from '../contracts/index.js';

export function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw new AppError('token_missing', 'This needs a signed-in caller.');
  return principal;
}

/** Whether the caller may submit to (and so read the published versions of) a form with this access. */
export function maySubmit(principal: Principal, access: FormAccess): boolean {
  return access !== 'restricted' || hasPermission(principal, 'forms:submit') || hasPermission(principal, 'forms:read');
}

export function mayReadSubmissions(principal: Principal): boolean {
  return hasPermission(principal, 'forms:read');
}

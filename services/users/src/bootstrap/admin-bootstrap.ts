import { AppError } from '@np/contracts';
import type { Logger } from '@np/observability';
import type { UsersService } from '../profiles/users.service.js';
import { retryWhileUnavailable } from './retry-while-unavailable.js';

export { backoffMs } from './retry-while-unavailable.js';

export interface AdminBootstrapOptions {
  email: string;
  password: string;
  logger: Logger;
  /** How long to keep retrying while auth is not up yet. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export type BootstrapOutcome = 'created' | 'exists' | 'gave-up' | 'failed' | 'aborted';

/**
 * Creates the first admin once. Safe across restarts and replicas: the unique email decides
 * who wins, and the account is made before the user is written, so a failed call to auth (or
 * Keycloak) leaves no user behind and the next attempt starts clean. With Keycloak, an admin the
 * realm already has (the operator's) is left as it is.
 */
export async function bootstrapAdmin(service: UsersService, options: AdminBootstrapOptions): Promise<BootstrapOutcome> {
  const log = options.logger.child({ component: 'admin-bootstrap', email: options.email });
  const outcome = await retryWhileUnavailable(() => tryOnce(service, options), {
    log,
    waitingFor: 'the auth module',
    signal: options.signal,
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
  });
  if (typeof outcome === 'string') return outcome;
  log.info({ outcome: outcome.value }, outcome.value === 'created' ? 'bootstrap admin created' : 'bootstrap admin already exists');
  return outcome.value;
}

async function tryOnce(service: UsersService, options: AdminBootstrapOptions): Promise<'created' | 'exists'> {
  if (await service.findByEmail(options.email)) return 'exists';
  try {
    await service.provision({ email: options.email, displayName: 'Administrator', roles: ['admin'] }, options.password);
    return 'created';
  } catch (error) {
    if (error instanceof AppError && error.code === 'email_taken') return 'exists';
    throw error;
  }
}

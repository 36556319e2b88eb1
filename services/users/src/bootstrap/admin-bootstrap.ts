import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, type ErrorCode } from '@np/contracts';
import type { Logger } from '@np/observability';
import type { UsersService } from '../profiles/users.service.js';

export interface AdminBootstrapOptions {
  email: string;
  password: string;
  logger: Logger;
  /** How long to keep retrying while auth is not up yet. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

export type BootstrapOutcome = 'created' | 'exists' | 'gave-up' | 'failed' | 'aborted';

/** Auth may still be starting in the distributed shape; these mean "try again later". */
const RETRYABLE: readonly ErrorCode[] = ['module_unavailable', 'module_timeout', 'bus_unavailable', 'not_ready'];
const MAX_BACKOFF_MS = 8000;

/**
 * Creates the first admin once. Safe across restarts and replicas: the unique email decides
 * who wins, and the password goes to auth before the user is written, so a failed credentials
 * call leaves no user behind and the next attempt starts clean.
 */
export async function bootstrapAdmin(service: UsersService, options: AdminBootstrapOptions): Promise<BootstrapOutcome> {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  const log = options.logger.child({ component: 'admin-bootstrap', email: options.email });
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) return 'aborted';
    const outcome = await tryOnce(service, options).catch((error: unknown) => error);
    if (outcome === 'created' || outcome === 'exists') {
      log.info({ outcome }, outcome === 'created' ? 'bootstrap admin created' : 'bootstrap admin already exists');
      return outcome;
    }
    if (!isRetryable(outcome)) {
      log.error({ err: outcome }, 'bootstrap admin failed');
      return 'failed';
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      log.error({ err: outcome, attempt }, 'bootstrap admin gave up: the auth module never answered');
      return 'gave-up';
    }
    const delay = Math.min(backoffMs(attempt), remaining);
    log.warn({ attempt, code: outcome.code, retryInMs: delay }, 'auth module not ready for the bootstrap admin, retrying');
    if (!(await pause(delay, options.signal))) return 'aborted';
  }
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

function isRetryable(error: unknown): error is AppError {
  return error instanceof AppError && RETRYABLE.includes(error.code);
}

export function backoffMs(attempt: number): number {
  return Math.min(250 * 2 ** (attempt - 1), MAX_BACKOFF_MS);
}

async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}

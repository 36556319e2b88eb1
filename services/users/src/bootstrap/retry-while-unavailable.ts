import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, type ErrorCode } from '@np/contracts';
import type { Logger } from '@np/observability';

/** What a start-up task gets back: its value, or why it stopped. */
export type RetryOutcome<T> = { value: T } | 'gave-up' | 'failed' | 'aborted';

export interface RetryOptions {
  log: Pick<Logger, 'warn' | 'error'>;
  /** What the task waits for, for the log ("auth", "Keycloak"). */
  waitingFor: string;
  deadlineMs?: number;
  signal?: AbortSignal | undefined;
}

/** In the distributed shape auth (or Keycloak) may still be starting; these mean "try again later". */
const RETRYABLE: readonly ErrorCode[] = ['module_unavailable', 'module_timeout', 'bus_unavailable', 'not_ready', 'identity_provider_unavailable'];
const MAX_BACKOFF_MS = 8000;

/**
 * Runs a start-up task until it succeeds, retrying with exponential backoff while what it needs
 * is not reachable yet, until the deadline (default 60 s). Any other error stops it at once.
 */
export async function retryWhileUnavailable<T>(task: () => Promise<T>, options: RetryOptions): Promise<RetryOutcome<T>> {
  const deadline = Date.now() + (options.deadlineMs ?? 60_000);
  for (let attempt = 1; ; attempt += 1) {
    if (options.signal?.aborted) return 'aborted';
    let error: unknown;
    try {
      return { value: await task() };
    } catch (failure) {
      error = failure;
    }
    if (!isRetryable(error)) {
      options.log.error({ err: error }, 'failed');
      return 'failed';
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      options.log.error({ err: error, attempt }, `gave up: ${options.waitingFor} never answered`);
      return 'gave-up';
    }
    const delay = Math.min(backoffMs(attempt), remaining);
    options.log.warn({ attempt, code: error.code, retryInMs: delay }, `${options.waitingFor} not ready, retrying`);
    if (!(await pause(delay, options.signal))) return 'aborted';
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

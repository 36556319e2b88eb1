import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@np/contracts';
import type { Logger } from '@np/observability';
import { LOGGER, SETTINGS } from '@np/runtime';
import { CLOCK, type Clock } from '../clock.js';
import type { AuthSettings } from '../settings.js';
import { type AttemptKey, LoginFailureRepository, type LoginFailureStore } from './login-failure.repository.js';
import { type ThrottleLimits, throttleVerdict } from './throttle-rules.js';

type ThrottleSettings = Pick<
  AuthSettings,
  'NP_LOGIN_MAX_FAILURES' | 'NP_LOGIN_MAX_FAILURES_PER_IP' | 'NP_LOGIN_MAX_FAILURES_PER_ACCOUNT' | 'NP_LOGIN_FAILURE_WINDOW_SECONDS'
>;

/** An attempt allowed to check its password; it already counts as a failure until `succeeded`. */
export interface ReservedAttempt extends AttemptKey {
  readonly id: number;
}

/** Old failures are swept at most this often per replica, and a minute after they left the window. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Slows password guessing (rules in `throttle-rules.ts`). Deciding and counting are one step: an
 * attempt is recorded as a failure before its password is checked, under locks every replica
 * shares, so parallel guesses queue on the counter instead of all passing the check. A success
 * takes the attempt back; so does a check that never happened. Unknown emails are counted like
 * known ones, so the answer reveals nothing.
 */
@Injectable()
export class LoginThrottleService {
  private readonly limits: ThrottleLimits;
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    @Inject(LoginFailureRepository) private readonly store: LoginFailureStore,
    @Inject(SETTINGS) settings: ThrottleSettings,
    @Inject(CLOCK) private readonly now: Clock,
    @Inject(LOGGER) private readonly logger: Pick<Logger, 'warn'>,
  ) {
    this.limits = {
      perPair: settings.NP_LOGIN_MAX_FAILURES,
      perAddress: settings.NP_LOGIN_MAX_FAILURES_PER_IP,
      perAccount: settings.NP_LOGIN_MAX_FAILURES_PER_ACCOUNT,
      windowSeconds: settings.NP_LOGIN_FAILURE_WINDOW_SECONDS,
    };
  }

  /** Reserves one attempt for `email` from `ip`, or refuses with `login_throttled` and the seconds to wait. */
  async reserve(email: string, ip: string): Promise<ReservedAttempt> {
    const attempt: AttemptKey = { email, ip };
    const now = new Date(this.now());
    const id = await this.store.withLocked(attempt, async (failures) => {
      const verdict = throttleVerdict(await failures.snapshot(this.windowStart(now), this.limits), now, this.limits.windowSeconds);
      if (!verdict.allowed) {
        throw new AppError('login_throttled', 'Too many failed logins; try again later.', { retryAfterSeconds: verdict.retryAfterSeconds });
      }
      return failures.record(now);
    });
    await this.sweep(now);
    return { ...attempt, id };
  }

  /** The password was right: the pair's failures, this attempt's included, are forgotten. */
  async succeeded(attempt: ReservedAttempt): Promise<void> {
    await this.store.clearPair(attempt, attempt.id);
  }

  /**
   * The password was never checked (a lookup failed): the attempt must not count. Never throws,
   * so the caller's own error is what the client sees; at worst the attempt stays a failure.
   */
  async release(attempt: ReservedAttempt): Promise<void> {
    await this.store.remove(attempt.id).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'could not take back a login attempt that was never checked');
    });
  }

  private async sweep(now: Date): Promise<void> {
    if (now.getTime() - this.lastSweepAt < SWEEP_INTERVAL_MS) return;
    this.lastSweepAt = now.getTime();
    // A failed sweep costs nothing but table size; the login it rides on must not fail for it.
    await this.store.forgetBefore(new Date(this.windowStart(now).getTime() - SWEEP_INTERVAL_MS)).catch((error: unknown) => {
      this.logger.warn({ err: error }, 'sweeping old login failures failed; the next sweep retries');
    });
  }

  private windowStart(now: Date): Date {
    return new Date(now.getTime() - this.limits.windowSeconds * 1000);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@np/contracts';
import { SETTINGS } from '@np/runtime';
import { CLOCK, type Clock } from '../clock.js';
import type { AuthSettings } from '../settings.js';
import { type FailureKey, LoginFailureRepository, type LoginFailureStore } from './login-failure.repository.js';
import { retryAfterSeconds } from './throttle-rules.js';

type ThrottleSettings = Pick<AuthSettings, 'NP_LOGIN_MAX_FAILURES' | 'NP_LOGIN_MAX_FAILURES_PER_IP' | 'NP_LOGIN_FAILURE_WINDOW_SECONDS'>;

/**
 * Slows password guessing: too many failures for one email (or, with a higher limit, from one
 * address) within the window refuse further attempts until the window has passed. Unknown
 * emails are counted like known ones so the answer reveals nothing.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    @Inject(LoginFailureRepository) private readonly store: LoginFailureStore,
    @Inject(SETTINGS) private readonly settings: ThrottleSettings,
    @Inject(CLOCK) private readonly now: Clock,
  ) {}

  async assertAllowed(email: string, ip: string): Promise<void> {
    const now = new Date(this.now());
    const waits = await Promise.all([
      this.wait({ email }, this.settings.NP_LOGIN_MAX_FAILURES, now),
      this.wait({ ip }, this.settings.NP_LOGIN_MAX_FAILURES_PER_IP, now),
    ]);
    const retryAfter = Math.max(...waits.map((wait) => wait ?? 0));
    if (retryAfter > 0) {
      throw new AppError('login_throttled', 'Too many failed logins; try again later.', { retryAfterSeconds: retryAfter });
    }
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    const now = new Date(this.now());
    await this.store.record(email, ip, now, this.windowStart(now));
  }

  async recordSuccess(email: string): Promise<void> {
    await this.store.clearEmail(email);
  }

  private async wait(key: FailureKey, maxFailures: number, now: Date): Promise<number | undefined> {
    const newest = await this.store.newest(key, this.windowStart(now), maxFailures);
    return retryAfterSeconds(newest, now, maxFailures, this.settings.NP_LOGIN_FAILURE_WINDOW_SECONDS);
  }

  private windowStart(now: Date): Date {
    return new Date(now.getTime() - this.settings.NP_LOGIN_FAILURE_WINDOW_SECONDS * 1000);
  }
}

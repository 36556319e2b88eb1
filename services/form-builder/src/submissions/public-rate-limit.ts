import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@np/contracts';
import { SETTINGS } from '@np/runtime';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { FormBuilderSettings } from '../settings.js';

/**
 * Anonymous submissions per client address (the gateway's, behind trusted proxies the forwarded
 * one), in a fixed one-minute window; in memory per replica, like the gateway's own budgets.
 */
@Injectable()
export class PublicRateLimit {
  private readonly limiter: RateLimiterMemory;

  constructor(@Inject(SETTINGS) settings: Pick<FormBuilderSettings, 'NP_FORMS_PUBLIC_SUBMISSIONS_PER_MINUTE'>) {
    this.limiter = new RateLimiterMemory({ keyPrefix: 'public-submissions', points: settings.NP_FORMS_PUBLIC_SUBMISSIONS_PER_MINUTE, duration: 60 });
  }

  async consume(ip: string): Promise<void> {
    try {
      await this.limiter.consume(ip);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new AppError('rate_limited', 'Too many anonymous submissions from this address.', { retryAfterSeconds });
    }
  }
}

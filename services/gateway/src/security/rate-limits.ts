import { AppError } from '@np/contracts';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/**
 * Fixed-window request budgets per client address and per user. In-memory per gateway replica:
 * the budget is per replica by design, which keeps the hot path free of network calls.
 */
export class RateLimits {
  private readonly perIp: RateLimiterMemory;
  private readonly perUser: RateLimiterMemory;

  constructor(ipPerMinute: number, userPerMinute: number) {
    this.perIp = new RateLimiterMemory({ keyPrefix: 'ip', points: ipPerMinute, duration: 60 });
    this.perUser = new RateLimiterMemory({ keyPrefix: 'user', points: userPerMinute, duration: 60 });
  }

  consumeIp(ip: string): Promise<void> {
    return consume(this.perIp, ip, 'Too many requests from this address.');
  }

  consumeUser(userId: string): Promise<void> {
    return consume(this.perUser, userId, 'Too many requests for this user.');
  }
}

async function consume(limiter: RateLimiterMemory, key: string, message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new AppError('rate_limited', message, { retryAfterSeconds });
  }
}

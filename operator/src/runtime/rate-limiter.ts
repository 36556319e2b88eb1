/**
 * How long a key waits before it is retried. Delays are in milliseconds; `when` records an
 * attempt, `forget` ends the key's history (call it once the key succeeded).
 */
export interface RateLimiter {
  when(key: string): number;
  forget(key: string): void;
  retries(key: string): number;
}

/** Per-key exponential backoff: base × 2^failures, capped, so one broken object backs off alone. */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseDelayMs = 5,
    private readonly maxDelayMs = 1_000_000,
  ) {
    if (baseDelayMs < 0 || maxDelayMs < 0) throw new RangeError('rate limiter delays must not be negative');
  }

  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    // 2 ** n reaches Infinity for large n rather than wrapping, so the cap always applies.
    return Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}

/**
 * A token bucket shared by all keys: it caps the overall retry rate when many keys fail at
 * once. Like client-go's `rate.Limiter.Reserve()`, every call takes a token even when none is
 * left (the balance goes negative), and the delay is how long until that token exists.
 */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError('bucket rate limiter needs qps > 0 and burst >= 1');
    this.tokens = burst;
    this.last = now();
  }

  // The bucket is shared by all keys: callers pass one (the overloads keep the interface's
  // signature), the implementations ignore it.
  when(key: string): number;
  when(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }

  /** No per-key history to forget. */
  forget(key: string): void;
  forget(): void {}

  retries(key: string): number;
  retries(): number {
    return 0;
  }

  private refill(): void {
    const now = this.now();
    // A clock that steps back must not mint tokens out of negative time.
    const elapsedMs = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.qps) / 1000);
  }
}

/** The strictest of several limiters; each still records the attempt. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: readonly RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    this.limiters = limiters;
  }

  when(key: string): number {
    // Every limiter must see the attempt, so no short-circuiting reduce over the first maximum.
    return this.limiters.map((limiter) => limiter.when(key)).reduce((max, delay) => Math.max(max, delay), 0);
  }

  forget(key: string): void {
    for (const limiter of this.limiters) limiter.forget(key);
  }

  retries(key: string): number {
    return this.limiters.reduce((max, limiter) => Math.max(max, limiter.retries(key)), 0);
  }
}

/** controller-runtime's default: per-key 5 ms doubling up to 1000 s, and 10 qps (burst 100) overall. */
export function defaultControllerRateLimiter(): RateLimiter {
  return new MaxOfRateLimiter(new ItemExponentialRateLimiter(5, 1_000_000), new BucketRateLimiter(10, 100));
}

import { describe, expect, it } from '@jest/globals';
import {
  BucketRateLimiter,
  ItemExponentialRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type RateLimiter,
} from './rate-limiter.js';

function manualClock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let current = start;
  return { now: () => current, advance: (ms) => (current += ms) };
}

describe('ItemExponentialRateLimiter', () => {
  it('doubles the delay per failure of a key, starting at the base', () => {
    const limiter = new ItemExponentialRateLimiter(5, 1_000_000);
    expect([1, 2, 3, 4, 5].map(() => limiter.when('a'))).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.retries('a')).toBe(5);
  });

  it('keeps keys apart', () => {
    const limiter = new ItemExponentialRateLimiter(1, 1000);
    limiter.when('a');
    limiter.when('a');
    expect(limiter.when('b')).toBe(1);
    expect(limiter.retries('a')).toBe(2);
    expect(limiter.retries('b')).toBe(1);
  });

  it('caps the delay, even after enough failures to overflow 2^n', () => {
    const limiter = new ItemExponentialRateLimiter(5, 1_000_000);
    const delays = Array.from({ length: 2000 }, () => limiter.when('a'));
    expect(delays.at(-1)).toBe(1_000_000);
    expect(Math.max(...delays)).toBe(1_000_000);
  });

  it('starts over after forget', () => {
    const limiter = new ItemExponentialRateLimiter(5, 1000);
    limiter.when('a');
    limiter.when('a');
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
    expect(limiter.when('a')).toBe(5);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through at once, then spaces calls by 1/qps', () => {
    const clock = manualClock();
    const limiter = new BucketRateLimiter(10, 100, clock.now);
    const burst = Array.from({ length: 100 }, (_, i) => limiter.when(`k${i}`));
    expect(burst.every((delay) => delay === 0)).toBe(true);
    expect(limiter.when('x')).toBe(100);
    expect(limiter.when('y')).toBe(200);
  });

  it('refills at qps, never above the burst', () => {
    const clock = manualClock();
    const limiter = new BucketRateLimiter(10, 2, clock.now);
    limiter.when('a');
    limiter.when('a');
    expect(limiter.when('a')).toBe(100);
    clock.advance(1000); // 10 tokens minted, the debt of 1 paid, capped at 2
    expect(limiter.when('a')).toBe(0);
    expect(limiter.when('a')).toBe(0);
    expect(limiter.when('a')).toBe(100);
  });

  it('mints nothing when the clock steps back', () => {
    const clock = manualClock(1000);
    const limiter = new BucketRateLimiter(1, 1, clock.now);
    limiter.when('a');
    clock.advance(-500);
    expect(limiter.when('a')).toBe(1000);
  });

  it('has no per-key history', () => {
    const limiter = new BucketRateLimiter(1, 1);
    limiter.when('a');
    limiter.when('a');
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
  });

  it('rejects a rate or burst that can never grant a token', () => {
    expect(() => new BucketRateLimiter(0, 10)).toThrow(RangeError);
    expect(() => new BucketRateLimiter(10, 0)).toThrow(RangeError);
  });
});

describe('MaxOfRateLimiter', () => {
  function recording(delay: number, retries: number): RateLimiter & { seen: string[]; forgotten: string[] } {
    const seen: string[] = [];
    const forgotten: string[] = [];
    return {
      seen,
      forgotten,
      when: (key) => (seen.push(key), delay),
      forget: (key) => void forgotten.push(key),
      retries: () => retries,
    };
  }

  it('returns the longest delay and lets every limiter record the attempt', () => {
    const short = recording(5, 1);
    const long = recording(50, 3);
    const limiter = new MaxOfRateLimiter(short, long);
    expect(limiter.when('a')).toBe(50);
    expect(short.seen).toEqual(['a']);
    expect(long.seen).toEqual(['a']);
    expect(limiter.retries('a')).toBe(3);
    limiter.forget('a');
    expect(short.forgotten).toEqual(['a']);
    expect(long.forgotten).toEqual(['a']);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('backs a key off exponentially from 5 ms', () => {
    const limiter = defaultControllerRateLimiter();
    expect([1, 2, 3].map(() => limiter.when('a'))).toEqual([5, 10, 20]);
    expect(limiter.retries('a')).toBe(3);
    limiter.forget('a');
    expect(limiter.retries('a')).toBe(0);
  });

  it('throttles many failing keys together once the burst of 100 is spent', () => {
    const limiter = defaultControllerRateLimiter();
    for (let i = 0; i < 100; i++) limiter.when(`key-${i}`);
    // The bucket (10 qps) now dominates a fresh key's 5 ms; allow for time passing meanwhile.
    expect(limiter.when('fresh')).toBeGreaterThan(5);
  });
});

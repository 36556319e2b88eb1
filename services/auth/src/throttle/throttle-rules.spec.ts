import { describe, expect, it } from '@jest/globals';
import { retryAfterSeconds } from './throttle-rules.js';

const now = new Date('2026-01-01T12:00:00Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe('retryAfterSeconds', () => {
  it('allows while fewer than the maximum failures are in the window', () => {
    expect(retryAfterSeconds([], now, 5, 900)).toBeUndefined();
    expect(retryAfterSeconds([1, 2, 3, 4].map(secondsAgo), now, 5, 900)).toBeUndefined();
  });

  it('refuses at the maximum until the oldest counted failure leaves the window', () => {
    expect(retryAfterSeconds([10, 20, 30, 40, 100].map(secondsAgo), now, 5, 900)).toBe(800);
  });

  it('counts only the newest `max` failures', () => {
    expect(retryAfterSeconds([10, 20, 30, 40, 50, 800].map(secondsAgo), now, 5, 900)).toBe(850);
  });

  it('rounds up partial seconds and never answers zero while refusing', () => {
    expect(retryAfterSeconds([new Date(now.getTime() - 899_500)], now, 1, 900)).toBe(1);
  });

  it('allows once the window has passed', () => {
    expect(retryAfterSeconds([secondsAgo(900)], now, 1, 900)).toBeUndefined();
  });
});

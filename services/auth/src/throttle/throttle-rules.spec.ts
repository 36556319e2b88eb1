import { describe, expect, it } from '@jest/globals';
import { secondsUntilOutOfWindow, throttleVerdict } from './throttle-rules.js';

const now = new Date('2026-01-01T12:00:00Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

describe('secondsUntilOutOfWindow', () => {
  it('answers the whole seconds until the failure leaves the window', () => {
    expect(secondsUntilOutOfWindow(secondsAgo(100), now, 900)).toBe(800);
  });

  it('rounds partial seconds up and never answers zero while the failure is inside', () => {
    expect(secondsUntilOutOfWindow(new Date(now.getTime() - 899_500), now, 900)).toBe(1);
  });

  it('answers zero without a failure or once it has left', () => {
    expect(secondsUntilOutOfWindow(undefined, now, 900)).toBe(0);
    expect(secondsUntilOutOfWindow(secondsAgo(900), now, 900)).toBe(0);
  });
});

describe('throttleVerdict', () => {
  it('allows while no key reached its limit', () => {
    expect(throttleVerdict({ pairHasFailed: true }, now, 900)).toEqual({ allowed: true });
  });

  it('refuses a pair at its limit until the failure that filled it leaves the window', () => {
    expect(throttleVerdict({ pairHasFailed: true, pairLimitFailure: secondsAgo(100) }, now, 900)).toEqual({ allowed: false, retryAfterSeconds: 800 });
  });

  it('refuses an address at its limit, for any account', () => {
    expect(throttleVerdict({ pairHasFailed: false, addressLimitFailure: secondsAgo(300) }, now, 900)).toEqual({ allowed: false, retryAfterSeconds: 600 });
  });

  it('lets an address that has not failed for an account through, however many others failed for it', () => {
    expect(throttleVerdict({ pairHasFailed: false, accountLimitFailure: secondsAgo(10) }, now, 900)).toEqual({ allowed: true });
  });

  it('holds the account limit against addresses that failed for the account themselves', () => {
    expect(throttleVerdict({ pairHasFailed: true, accountLimitFailure: secondsAgo(10) }, now, 900)).toEqual({ allowed: false, retryAfterSeconds: 890 });
  });

  it('answers the longest wait when several keys are at their limit', () => {
    const verdict = throttleVerdict({ pairHasFailed: true, pairLimitFailure: secondsAgo(800), addressLimitFailure: secondsAgo(200), accountLimitFailure: secondsAgo(500) }, now, 900);
    expect(verdict).toEqual({ allowed: false, retryAfterSeconds: 700 });
  });

  it('allows once every counted failure has left the window', () => {
    expect(throttleVerdict({ pairHasFailed: true, pairLimitFailure: secondsAgo(900), addressLimitFailure: secondsAgo(901) }, now, 900)).toEqual({ allowed: true });
  });
});

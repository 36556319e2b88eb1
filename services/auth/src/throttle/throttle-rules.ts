/** How many failures each key may collect inside the sliding window. */
export interface ThrottleLimits {
  /** One account from one address (`NP_LOGIN_MAX_FAILURES`). */
  perPair: number;
  /** One address, whatever the accounts (`NP_LOGIN_MAX_FAILURES_PER_IP`). */
  perAddress: number;
  /** One account, whatever the addresses (`NP_LOGIN_MAX_FAILURES_PER_ACCOUNT`); binds only addresses that failed for it. */
  perAccount: number;
  windowSeconds: number;
}

/**
 * The failures inside the window that matter for one attempt. For each key, `…LimitFailure` is
 * the failure that filled its limit (the `limit`-th newest) and is absent while the key is below
 * its limit: the key is free again once that failure leaves the window.
 */
export interface FailureSnapshot {
  pairLimitFailure?: Date;
  addressLimitFailure?: Date;
  accountLimitFailure?: Date;
  /** Whether this address failed for this account at all inside the window. */
  pairHasFailed: boolean;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * The throttling rules, after OWASP's Authentication Cheat Sheet (slow guessing down, but do not
 * let anyone lock an account's owner out):
 *
 * - an (account, address) pair that reached its limit waits until its oldest counted failure
 *   leaves the window;
 * - an address that reached its (higher) limit waits the same way, for every account;
 * - an account that reached its (much higher) limit, typically from many addresses, waits only
 *   for the addresses that failed for it themselves: an address that has not failed for the
 *   account still gets its attempt, so guessing from anywhere never locks the owner out.
 */
export function throttleVerdict(snapshot: FailureSnapshot, now: Date, windowSeconds: number): ThrottleVerdict {
  const binding = [snapshot.pairLimitFailure, snapshot.addressLimitFailure, snapshot.pairHasFailed ? snapshot.accountLimitFailure : undefined];
  const retryAfterSeconds = Math.max(0, ...binding.map((failure) => secondsUntilOutOfWindow(failure, now, windowSeconds)));
  return retryAfterSeconds > 0 ? { allowed: false, retryAfterSeconds } : { allowed: true };
}

/** Whole seconds (rounded up, at least 1) until `failure` leaves the window; 0 when it has or there is none. */
export function secondsUntilOutOfWindow(failure: Date | undefined, now: Date, windowSeconds: number): number {
  if (!failure) return 0;
  const remainingMs = failure.getTime() + windowSeconds * 1000 - now.getTime();
  return remainingMs > 0 ? Math.max(1, Math.ceil(remainingMs / 1000)) : 0;
}

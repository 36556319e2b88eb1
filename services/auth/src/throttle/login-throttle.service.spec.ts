import { describe, expect, it } from '@jest/globals';
import { AppError } from '@np/contracts';
import type { AttemptKey, LockedFailures, LoginFailureStore } from './login-failure.repository.js';
import { LoginThrottleService } from './login-throttle.service.js';
import type { FailureSnapshot, ThrottleLimits } from './throttle-rules.js';

interface Failure extends AttemptKey {
  id: number;
  at: Date;
}

/** The repository's semantics in memory; one lock for everything stands in for the per-key locks. */
class FakeLoginFailureStore implements LoginFailureStore {
  failures: Failure[] = [];
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();

  withLocked<T>(attempt: AttemptKey, fn: (failures: LockedFailures) => Promise<T>): Promise<T> {
    const run = this.queue.then(() =>
      fn({
        snapshot: (since, limits) => Promise.resolve(this.snapshot(attempt, since, limits)),
        record: (at) => {
          const id = this.nextId++;
          this.failures.push({ ...attempt, id, at });
          return Promise.resolve(id);
        },
      }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  clearPair(attempt: AttemptKey, upToId: number): Promise<void> {
    this.failures = this.failures.filter((failure) => !(failure.email === attempt.email && failure.ip === attempt.ip && failure.id <= upToId));
    return Promise.resolve();
  }

  remove(id: number): Promise<void> {
    this.failures = this.failures.filter((failure) => failure.id !== id);
    return Promise.resolve();
  }

  forgetBefore(before: Date): Promise<void> {
    this.failures = this.failures.filter((failure) => failure.at >= before);
    return Promise.resolve();
  }

  private snapshot(attempt: AttemptKey, since: Date, limits: Omit<ThrottleLimits, 'windowSeconds'>): FailureSnapshot {
    const times = (match: (failure: Failure) => boolean) =>
      this.failures
        .filter((failure) => failure.at > since && match(failure))
        .map((failure) => failure.at)
        .sort((a, b) => b.getTime() - a.getTime());
    const pair = times((failure) => failure.email === attempt.email && failure.ip === attempt.ip);
    const snapshot: FailureSnapshot = { pairHasFailed: pair.length > 0 };
    const pairLimit = pair[limits.perPair - 1];
    const addressLimit = times((failure) => failure.ip === attempt.ip)[limits.perAddress - 1];
    const accountLimit = times((failure) => failure.email === attempt.email)[limits.perAccount - 1];
    if (pairLimit) snapshot.pairLimitFailure = pairLimit;
    if (addressLimit) snapshot.addressLimitFailure = addressLimit;
    if (accountLimit) snapshot.accountLimitFailure = accountLimit;
    return snapshot;
  }
}

const quietLogger = { warn: () => undefined };

function setup(limits = { NP_LOGIN_MAX_FAILURES: 3, NP_LOGIN_MAX_FAILURES_PER_IP: 5, NP_LOGIN_MAX_FAILURES_PER_ACCOUNT: 8 }) {
  let now = Date.parse('2026-01-01T12:00:00Z');
  const store = new FakeLoginFailureStore();
  const throttle = new LoginThrottleService(store, { ...limits, NP_LOGIN_FAILURE_WINDOW_SECONDS: 600 }, () => now, quietLogger);
  /** One wrong password: the reserved attempt stays as the failure. */
  const fail = async (email: string, ip: string) => {
    await throttle.reserve(email, ip);
  };
  return { throttle, store, fail, advance: (seconds: number) => (now += seconds * 1000) };
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'reserved';
  } catch (error) {
    return error instanceof AppError ? error.code : 'unexpected';
  }
}

describe('LoginThrottleService', () => {
  it('lets only the allowed number of parallel attempts of one pair through', async () => {
    const { throttle, store } = setup();
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => outcome(throttle.reserve('ada@example.com', '10.0.0.1'))));
    expect(outcomes.filter((result) => result === 'reserved')).toHaveLength(3);
    expect(outcomes.filter((result) => result === 'login_throttled')).toHaveLength(17);
    expect(store.failures).toHaveLength(3);
  });

  it('refuses a pair at its limit with the seconds left in the window, and lets it go afterwards', async () => {
    const { throttle, fail, advance } = setup();
    for (let i = 0; i < 3; i += 1) {
      await fail('ada@example.com', '10.0.0.1');
      advance(10);
    }
    await expect(throttle.reserve('ada@example.com', '10.0.0.1')).rejects.toMatchObject({ code: 'login_throttled', details: { retryAfterSeconds: 570 } });
    advance(570);
    await expect(throttle.reserve('ada@example.com', '10.0.0.1')).resolves.toMatchObject({ email: 'ada@example.com' });
  });

  it('does not lock the owner out: another address still gets the account', async () => {
    const { throttle, fail } = setup();
    for (let i = 0; i < 3; i += 1) await fail('admin@example.com', '10.6.6.6');
    await expect(throttle.reserve('admin@example.com', '10.6.6.6')).rejects.toMatchObject({ code: 'login_throttled' });
    await expect(throttle.reserve('admin@example.com', '10.0.0.2')).resolves.toMatchObject({ ip: '10.0.0.2' });
  });

  it('refuses an address at its own limit across accounts, and only that address', async () => {
    const { throttle, fail } = setup();
    for (let i = 0; i < 5; i += 1) await fail(`user${i}@example.com`, '10.0.0.9');
    await expect(throttle.reserve('new@example.com', '10.0.0.9')).rejects.toMatchObject({ code: 'login_throttled' });
    await expect(throttle.reserve('new@example.com', '10.0.0.8')).resolves.toMatchObject({ ip: '10.0.0.8' });
  });

  it('holds an account guessed at from many addresses against those addresses, never against a fresh one', async () => {
    const { throttle, fail } = setup();
    for (let i = 0; i < 8; i += 1) await fail('ada@example.com', `10.1.0.${i}`);
    await expect(throttle.reserve('ada@example.com', '10.1.0.0')).rejects.toMatchObject({ code: 'login_throttled' });
    await expect(throttle.reserve('ada@example.com', '10.2.0.1')).resolves.toMatchObject({ ip: '10.2.0.1' });
  });

  it('forgets the pair’s failures after a success, but not other pairs’', async () => {
    const { throttle, store, fail } = setup();
    await fail('ada@example.com', '10.0.0.1');
    await fail('ada@example.com', '10.0.0.1');
    await fail('ada@example.com', '10.6.6.6');
    await throttle.succeeded(await throttle.reserve('ada@example.com', '10.0.0.1'));
    expect(store.failures.map((failure) => failure.ip)).toEqual(['10.6.6.6']);
  });

  it('takes back an attempt whose password was never checked', async () => {
    const { throttle, store } = setup();
    await throttle.release(await throttle.reserve('ada@example.com', '10.0.0.1'));
    expect(store.failures).toEqual([]);
  });

  it('sweeps failures a minute after they left the window', async () => {
    const { store, fail, advance } = setup();
    await fail('old@example.com', '10.0.0.1');
    advance(661);
    await fail('new@example.com', '10.0.0.1');
    expect(store.failures.map((failure) => failure.email)).toEqual(['new@example.com']);
  });
});

import { describe, expect, it } from '@jest/globals';
import type { FailureKey, LoginFailureStore } from './login-failure.repository.js';
import { LoginThrottleService } from './login-throttle.service.js';

class FakeLoginFailureStore implements LoginFailureStore {
  failures: { email: string; ip: string; at: Date }[] = [];

  newest(key: FailureKey, since: Date, limit: number): Promise<Date[]> {
    const matching = this.failures
      .filter((failure) => ('email' in key ? failure.email === key.email : failure.ip === key.ip) && failure.at > since)
      .map((failure) => failure.at)
      .sort((a, b) => b.getTime() - a.getTime());
    return Promise.resolve(matching.slice(0, limit));
  }

  record(email: string, ip: string, now: Date, forgetBefore: Date): Promise<void> {
    this.failures = this.failures.filter((failure) => failure.at >= forgetBefore);
    this.failures.push({ email, ip, at: now });
    return Promise.resolve();
  }

  clearEmail(email: string): Promise<void> {
    this.failures = this.failures.filter((failure) => failure.email !== email);
    return Promise.resolve();
  }
}

function setup() {
  let now = Date.parse('2026-01-01T12:00:00Z');
  const store = new FakeLoginFailureStore();
  const throttle = new LoginThrottleService(
    store,
    { NP_LOGIN_MAX_FAILURES: 3, NP_LOGIN_MAX_FAILURES_PER_IP: 5, NP_LOGIN_FAILURE_WINDOW_SECONDS: 600 },
    () => now,
  );
  return { throttle, advance: (seconds: number) => (now += seconds * 1000) };
}

describe('LoginThrottleService', () => {
  it('refuses an email after the maximum failures with the seconds left in the window', async () => {
    const { throttle, advance } = setup();
    for (let i = 0; i < 3; i += 1) {
      await throttle.assertAllowed('ada@example.com', '10.0.0.1');
      await throttle.recordFailure('ada@example.com', '10.0.0.1');
      advance(10);
    }
    await expect(throttle.assertAllowed('ada@example.com', '10.0.0.2')).rejects.toMatchObject({
      code: 'login_throttled',
      details: { retryAfterSeconds: 570 },
    });
    await expect(throttle.assertAllowed('bob@example.com', '10.0.0.1')).resolves.toBeUndefined();
    advance(570);
    await expect(throttle.assertAllowed('ada@example.com', '10.0.0.1')).resolves.toBeUndefined();
  });

  it('refuses an address after its own, higher maximum across emails', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 5; i += 1) await throttle.recordFailure(`user${i}@example.com`, '10.0.0.9');
    await expect(throttle.assertAllowed('new@example.com', '10.0.0.9')).rejects.toMatchObject({ code: 'login_throttled' });
    await expect(throttle.assertAllowed('new@example.com', '10.0.0.8')).resolves.toBeUndefined();
  });

  it('forgets an email’s failures after a success', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 2; i += 1) await throttle.recordFailure('ada@example.com', '10.0.0.1');
    await throttle.recordSuccess('ada@example.com');
    await throttle.recordFailure('ada@example.com', '10.0.0.1');
    await expect(throttle.assertAllowed('ada@example.com', '10.0.0.1')).resolves.toBeUndefined();
  });
});

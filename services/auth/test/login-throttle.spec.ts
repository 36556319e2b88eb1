import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { AppError } from '@np/contracts';
import type { BusClient } from '@np/messaging';
import { type AuthHarness, registerUser, startAuthHarness, startOnFreshBus } from './auth-harness.js';

/** Default limits: 5 per (account, address), 50 per address, 100 per account; 900 s window. */
describe('login throttling (real PostgreSQL, two auth replicas on one schema)', () => {
  let harness: AuthHarness;
  let second: Awaited<ReturnType<typeof startOnFreshBus>>;

  beforeAll(async () => {
    harness = await startAuthHarness();
    // A second replica: its own process state and pool, the same schema, like two auth pods.
    second = await startOnFreshBus(harness.settings, harness.users);
  });

  afterAll(async () => {
    await second.service.close();
    await second.transport.close();
    await harness.close();
  });

  const replicas = (): BusClient[] => [harness.client, second.client];

  function login(email: string, password: string, ip: string, client: BusClient = harness.client): Promise<string> {
    return client.call('auth.login', { email, password, ip }).then(
      () => 'ok',
      (error: unknown) => (error instanceof AppError ? error.code : 'unexpected'),
    );
  }

  it('checks at most the allowed number of 20 parallel wrong passwords for one account, across replicas', async () => {
    const user = `parallel-${randomUUID()}@example.com`;
    await registerUser(harness, user, 'correct horse battery');
    const errors = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        replicas()[i % 2]!.call('auth.login', { email: user, password: `wrong guess ${i}`, ip: '10.20.0.1' }).then(
          () => undefined,
          (error: unknown) => error,
        ),
      ),
    );
    const codes = errors.map((error) => (error instanceof AppError ? error.code : 'unexpected'));
    expect(codes.filter((code) => code === 'invalid_credentials')).toHaveLength(5);
    expect(codes.filter((code) => code === 'login_throttled')).toHaveLength(15);
    for (const error of errors) {
      if (error instanceof AppError && error.code === 'login_throttled') {
        const { retryAfterSeconds } = error.details as { retryAfterSeconds: number };
        expect(retryAfterSeconds).toBeGreaterThan(0);
        expect(retryAfterSeconds).toBeLessThanOrEqual(900);
      }
    }
    const rows = await harness.query<{ n: number }>('select count(*)::int as n from $schema.login_failures where email = $1', [user]);
    expect(rows[0]!.n).toBe(5);
  });

  it('five wrong guesses from one address against the admin do not keep the admin out from another', async () => {
    const admin = `admin-${randomUUID()}@example.com`;
    await registerUser(harness, admin, 'the admin password', ['admin']);
    for (let i = 0; i < 5; i += 1) expect(await login(admin, `guess ${i}`, '10.30.0.66')).toBe('invalid_credentials');
    expect(await login(admin, 'the admin password', '10.30.0.66')).toBe('login_throttled');
    expect(await login(admin, 'the admin password', '10.30.0.7', second.client)).toBe('ok');
    // The owner's success does not hand the attacker's address a fresh budget.
    expect(await login(admin, 'another guess', '10.30.0.66')).toBe('login_throttled');
  });

  it('fifty wrong guesses against random emails from one address do not keep a user out from another', async () => {
    const user = `sprayed-${randomUUID()}@example.com`;
    await registerUser(harness, user, 'correct horse battery');
    for (let i = 0; i < 50; i += 1) expect(await login(`random-${randomUUID()}@example.com`, 'guess', '10.40.0.66')).toBe('invalid_credentials');
    expect(await login(user, 'correct horse battery', '10.40.0.66')).toBe('login_throttled');
    expect(await login(user, 'correct horse battery', '10.40.0.7')).toBe('ok');
  });

  it('an account guessed at from many addresses stays open to an address that has not failed for it', async () => {
    const user = `distributed-${randomUUID()}@example.com`;
    await registerUser(harness, user, 'correct horse battery');
    // 100 failures from 25 addresses (4 each, under the pair limit) fill the account's limit.
    for (let i = 0; i < 100; i += 1) expect(await login(user, `guess ${i}`, `10.50.${Math.floor(i / 4)}.1`)).toBe('invalid_credentials');
    expect(await login(user, 'another guess', '10.50.0.1')).toBe('login_throttled');
    expect(await login(user, 'correct horse battery', '10.51.0.1')).toBe('ok');
  });
});

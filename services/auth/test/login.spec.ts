import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type AuthHarness, registerUser, startAuthHarness } from './auth-harness.js';

describe('auth.login (real PostgreSQL, argon2id, fake users module)', () => {
  let harness: AuthHarness;

  beforeAll(async () => {
    harness = await startAuthHarness({ NP_LOGIN_MAX_FAILURES: '3', NP_LOGIN_MAX_FAILURES_PER_IP: '6' });
  });

  afterAll(async () => {
    await harness.close();
  });

  it('answers a Bearer token pair for the right password', async () => {
    await registerUser(harness, 'ada@example.com', 'correct horse battery');
    const pair = await harness.client.call('auth.login', { email: 'Ada@Example.com ', password: 'correct horse battery', ip: '10.0.0.1' });
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
    expect(pair.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stores the password as an argon2id hash only', async () => {
    const rows = await harness.query<{ password_hash: string }>('select password_hash from $schema.credentials');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('answers a wrong password and an unknown email with the same error', async () => {
    await registerUser(harness, 'bob@example.com', 'correct horse battery');
    const wrong = harness.client.call('auth.login', { email: 'bob@example.com', password: 'wrong horse battery', ip: '10.0.0.2' });
    const unknown = harness.client.call('auth.login', { email: 'nobody@example.com', password: 'correct horse battery', ip: '10.0.0.2' });
    const errors = await Promise.all([wrong.catch((error: unknown) => error), unknown.catch((error: unknown) => error)]);
    expect(errors[0]).toMatchObject({ code: 'invalid_credentials', message: 'The email or password is wrong.' });
    expect(errors[1]).toMatchObject({ code: 'invalid_credentials', message: 'The email or password is wrong.' });
  });

  it('refuses a known user without a password like a wrong password', async () => {
    harness.users.add('nopassword@example.com');
    await expect(harness.client.call('auth.login', { email: 'nopassword@example.com', password: 'anything at all', ip: '10.0.0.3' })).rejects.toMatchObject({
      code: 'invalid_credentials',
    });
  });

  it('throttles an account from an address after the maximum failures, even for the right password', async () => {
    await registerUser(harness, 'carol@example.com', 'correct horse battery');
    for (let i = 0; i < 3; i += 1) {
      await expect(harness.client.call('auth.login', { email: 'carol@example.com', password: 'wrong horse battery', ip: '10.0.1.1' })).rejects.toMatchObject({
        code: 'invalid_credentials',
      });
    }
    const throttled = await harness.client.call('auth.login', { email: 'carol@example.com', password: 'correct horse battery', ip: '10.0.1.1' }).catch((error: unknown) => error);
    expect(throttled).toMatchObject({ code: 'login_throttled' });
    const { retryAfterSeconds } = (throttled as { details: { retryAfterSeconds: number } }).details;
    expect(retryAfterSeconds).toBeGreaterThan(890);
    expect(retryAfterSeconds).toBeLessThanOrEqual(900);
  });

  it('throttles unknown emails too, so throttling reveals nothing', async () => {
    for (let i = 0; i < 3; i += 1) {
      await harness.client.call('auth.login', { email: 'ghost@example.com', password: 'whatever it is', ip: '10.0.2.1' }).catch(() => undefined);
    }
    await expect(harness.client.call('auth.login', { email: 'ghost@example.com', password: 'whatever it is', ip: '10.0.2.1' })).rejects.toMatchObject({
      code: 'login_throttled',
    });
  });

  it('forgets the failures of an account from an address after a successful login from there', async () => {
    await registerUser(harness, 'dave@example.com', 'correct horse battery');
    const attempt = (password: string) => harness.client.call('auth.login', { email: 'dave@example.com', password, ip: '10.0.3.1' });
    await attempt('wrong horse battery').catch(() => undefined);
    await attempt('wrong horse battery').catch(() => undefined);
    await attempt('correct horse battery');
    await attempt('wrong horse battery').catch(() => undefined);
    await attempt('wrong horse battery').catch(() => undefined);
    await expect(attempt('correct horse battery')).resolves.toMatchObject({ token_type: 'Bearer' });
  });

  it('throttles an address after its own maximum across emails', async () => {
    for (let i = 0; i < 6; i += 1) {
      await harness.client.call('auth.login', { email: `spray${i}@example.com`, password: 'guess guess', ip: '10.9.9.9' }).catch(() => undefined);
    }
    await expect(harness.client.call('auth.login', { email: 'ada@example.com', password: 'correct horse battery', ip: '10.9.9.9' })).rejects.toMatchObject({
      code: 'login_throttled',
    });
    await expect(harness.client.call('auth.login', { email: 'ada@example.com', password: 'correct horse battery', ip: '10.9.9.8' })).resolves.toMatchObject({
      token_type: 'Bearer',
    });
  });

  it('answers auth.me for the user of the access token the request forwards', async () => {
    const eve = await registerUser(harness, 'eve@example.com', 'correct horse battery', ['manager']);
    const { access_token: token } = await harness.client.call('auth.login', { email: 'eve@example.com', password: 'correct horse battery', ip: '10.77.0.1' });
    await expect(harness.client.call('auth.me', {}, { token })).resolves.toEqual({
      id: eve.id,
      email: 'eve@example.com',
      displayName: 'eve',
      roles: ['manager'],
    });
    await expect(harness.client.call('auth.me', {})).rejects.toMatchObject({ code: 'token_missing' });
  });

  it('serves the discovery document under the issuer', async () => {
    const document = await harness.client.call('auth.discovery', {});
    expect(document).toMatchObject({
      issuer: 'https://acme.example.com',
      token_endpoint: 'https://acme.example.com/v1/auth/login',
      jwks_uri: 'https://acme.example.com/.well-known/jwks.json',
      userinfo_endpoint: 'https://acme.example.com/v1/auth/me',
      revocation_endpoint: 'https://acme.example.com/v1/auth/logout',
      id_token_signing_alg_values_supported: ['ES256'],
    });
  });
});

import { describe, expect, it, jest } from '@jest/globals';
import { AppError, type TokenPair } from '@np/contracts';
import type { LoginThrottleService, ReservedAttempt } from '../throttle/login-throttle.service.js';
import { LoginService } from './login.service.js';

const pair: TokenPair = { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900 };

function setup(signIn: (email: string, password: string) => Promise<TokenPair | null> = (_email, password) => Promise.resolve(password === 'right password' ? pair : null)) {
  const throttle = {
    reserve: jest.fn((email: string, ip: string): Promise<ReservedAttempt> => Promise.resolve({ email, ip, id: 42 })),
    succeeded: jest.fn<(attempt: ReservedAttempt) => Promise<void>>(() => Promise.resolve()),
    release: jest.fn<(attempt: ReservedAttempt) => Promise<void>>(() => Promise.resolve()),
  };
  const provider = { signIn: jest.fn(signIn) };
  const service = new LoginService(throttle as unknown as LoginThrottleService, provider);
  return { service, throttle, provider };
}

describe('LoginService', () => {
  it('reserves an attempt first, lets the identity provider open a session for the right password and takes the attempt back', async () => {
    const { service, throttle, provider } = setup();
    await expect(service.login({ email: 'ada@example.com', password: 'right password', ip: '10.0.0.1' })).resolves.toBe(pair);
    expect(throttle.reserve).toHaveBeenCalledWith('ada@example.com', '10.0.0.1');
    expect(provider.signIn).toHaveBeenCalledWith('ada@example.com', 'right password');
    expect(throttle.succeeded).toHaveBeenCalledWith({ email: 'ada@example.com', ip: '10.0.0.1', id: 42 });
  });

  it('answers invalid_credentials when the provider refuses the password, keeping the attempt as a failure', async () => {
    const { service, throttle } = setup();
    await expect(service.login({ email: 'ada@example.com', password: 'wrong password', ip: '10.0.0.1' })).rejects.toMatchObject({
      code: 'invalid_credentials',
      message: 'The email or password is wrong.',
    });
    expect(throttle.succeeded).not.toHaveBeenCalled();
    expect(throttle.release).not.toHaveBeenCalled();
  });

  it('does not hand the password to the provider when the throttle refuses', async () => {
    const { service, throttle, provider } = setup();
    throttle.reserve.mockRejectedValueOnce(new AppError('login_throttled', 'Too many failed logins; try again later.', { retryAfterSeconds: 60 }));
    await expect(service.login({ email: 'ada@example.com', password: 'right password', ip: '10.0.0.1' })).rejects.toMatchObject({ code: 'login_throttled' });
    expect(provider.signIn).not.toHaveBeenCalled();
  });

  it.each(['module_unavailable', 'identity_provider_unavailable'] as const)('takes the attempt back when the password could not be checked (%s)', async (code) => {
    const { service, throttle } = setup(() => Promise.reject(new AppError(code, 'down')));
    await expect(service.login({ email: 'ada@example.com', password: 'right password', ip: '10.0.0.1' })).rejects.toMatchObject({ code });
    expect(throttle.release).toHaveBeenCalledWith({ email: 'ada@example.com', ip: '10.0.0.1', id: 42 });
  });
});

import { describe, expect, it, jest } from '@jest/globals';
import { AppError, type TokenPair } from '@np/contracts';
import { type Identity } from '@np/users/contracts';
import type { CredentialsService } from '../credentials/credentials.service.js';
import type { RefreshTokensService } from '../refresh/refresh-tokens.service.js';
import type { LoginThrottleService, ReservedAttempt } from '../throttle/login-throttle.service.js';
import { LoginService } from './login.service.js';

const ada: Identity = { id: '7d4f3a5e-1c2b-4a8e-9f0d-3b6c5a4e2d1f', email: 'ada@example.com', displayName: 'Ada', roles: ['member'] };
const pair: TokenPair = { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900 };

function setup(byEmail: (email: string) => Promise<Identity | undefined> = (email) => Promise.resolve(email === ada.email ? ada : undefined)) {
  const throttle = {
    reserve: jest.fn((email: string, ip: string): Promise<ReservedAttempt> => Promise.resolve({ email, ip, id: 42 })),
    succeeded: jest.fn(() => Promise.resolve()),
    release: jest.fn(() => Promise.resolve()),
  };
  const verify = jest.fn((userId: string | undefined, password: string) => Promise.resolve(userId === ada.id && password === 'right password'));
  const start = jest.fn(() => Promise.resolve(pair));
  const service = new LoginService(
    throttle as unknown as LoginThrottleService,
    { byEmail, byId: () => Promise.resolve(undefined) },
    { verify } as unknown as CredentialsService,
    { start } as unknown as RefreshTokensService,
  );
  return { service, throttle, verify, start };
}

describe('LoginService', () => {
  it('reserves an attempt first, opens a session for the right password and takes the attempt back', async () => {
    const { service, throttle, start } = setup();
    await expect(service.login({ email: ada.email, password: 'right password', ip: '10.0.0.1' })).resolves.toBe(pair);
    expect(throttle.reserve).toHaveBeenCalledWith(ada.email, '10.0.0.1');
    expect(start).toHaveBeenCalledWith(ada);
    expect(throttle.succeeded).toHaveBeenCalledWith({ email: ada.email, ip: '10.0.0.1', id: 42 });
  });

  it('answers a wrong password and an unknown email alike, still running the hash check, and keeps both attempts as failures', async () => {
    const { service, throttle, verify } = setup();
    const wrong = service.login({ email: ada.email, password: 'wrong password', ip: '10.0.0.1' });
    const unknown = service.login({ email: 'nobody@example.com', password: 'right password', ip: '10.0.0.1' });
    await expect(wrong).rejects.toMatchObject({ code: 'invalid_credentials', message: 'The email or password is wrong.' });
    await expect(unknown).rejects.toMatchObject({ code: 'invalid_credentials', message: 'The email or password is wrong.' });
    expect(verify).toHaveBeenCalledWith(undefined, 'right password');
    expect(throttle.reserve).toHaveBeenCalledTimes(2);
    expect(throttle.succeeded).not.toHaveBeenCalled();
    expect(throttle.release).not.toHaveBeenCalled();
  });

  it('does not look at the password when the throttle refuses', async () => {
    const { service, throttle, verify } = setup();
    throttle.reserve.mockRejectedValueOnce(new AppError('login_throttled', 'Too many failed logins; try again later.', { retryAfterSeconds: 60 }));
    await expect(service.login({ email: ada.email, password: 'right password', ip: '10.0.0.1' })).rejects.toMatchObject({ code: 'login_throttled' });
    expect(verify).not.toHaveBeenCalled();
  });

  it('takes the attempt back when the password could not be checked', async () => {
    const { service, throttle, verify } = setup(() => Promise.reject(new AppError('module_unavailable', 'users is down')));
    await expect(service.login({ email: ada.email, password: 'right password', ip: '10.0.0.1' })).rejects.toMatchObject({ code: 'module_unavailable' });
    expect(verify).not.toHaveBeenCalled();
    expect(throttle.release).toHaveBeenCalledWith({ email: ada.email, ip: '10.0.0.1', id: 42 });
  });
});

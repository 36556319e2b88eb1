import { describe, expect, it, jest } from '@jest/globals';
import type { Identity, TokenPair } from '@np/contracts';
import type { CredentialsService } from '../credentials/credentials.service.js';
import type { RefreshTokensService } from '../refresh/refresh-tokens.service.js';
import type { LoginThrottleService } from '../throttle/login-throttle.service.js';
import { LoginService } from './login.service.js';

const ada: Identity = { id: '7d4f3a5e-1c2b-4a8e-9f0d-3b6c5a4e2d1f', email: 'ada@example.com', displayName: 'Ada', roles: ['member'] };
const pair: TokenPair = { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900 };

function setup() {
  const throttle = {
    assertAllowed: jest.fn(() => Promise.resolve()),
    recordFailure: jest.fn(() => Promise.resolve()),
    recordSuccess: jest.fn(() => Promise.resolve()),
  };
  const verify = jest.fn((userId: string | undefined, password: string) => Promise.resolve(userId === ada.id && password === 'right password'));
  const start = jest.fn(() => Promise.resolve(pair));
  const service = new LoginService(
    throttle as unknown as LoginThrottleService,
    { byEmail: (email) => Promise.resolve(email === ada.email ? ada : undefined), byId: () => Promise.resolve(undefined) },
    { verify } as unknown as CredentialsService,
    { start } as unknown as RefreshTokensService,
  );
  return { service, throttle, verify, start };
}

describe('LoginService', () => {
  it('opens a session for the right password and clears the failure count', async () => {
    const { service, throttle, start } = setup();
    await expect(service.login({ email: ada.email, password: 'right password', ip: '10.0.0.1' })).resolves.toBe(pair);
    expect(start).toHaveBeenCalledWith(ada);
    expect(throttle.recordSuccess).toHaveBeenCalledWith(ada.email);
  });

  it('answers a wrong password and an unknown email alike, still running the hash check', async () => {
    const { service, throttle, verify } = setup();
    const wrong = service.login({ email: ada.email, password: 'wrong password', ip: '10.0.0.1' });
    const unknown = service.login({ email: 'nobody@example.com', password: 'right password', ip: '10.0.0.1' });
    await expect(wrong).rejects.toMatchObject({ code: 'invalid_credentials', message: 'The email or password is wrong.' });
    await expect(unknown).rejects.toMatchObject({ code: 'invalid_credentials', message: 'The email or password is wrong.' });
    expect(verify).toHaveBeenCalledWith(undefined, 'right password');
    expect(throttle.recordFailure).toHaveBeenCalledTimes(2);
  });

  it('does not look at the password while throttled', async () => {
    const { service, throttle, verify } = setup();
    throttle.assertAllowed.mockRejectedValueOnce(new Error('throttled'));
    await expect(service.login({ email: ada.email, password: 'right password', ip: '10.0.0.1' })).rejects.toThrow('throttled');
    expect(verify).not.toHaveBeenCalled();
  });
});

import { describe, expect, it, jest } from '@jest/globals';
import { AppError, type TokenPair } from '@np/contracts';
import { type Identity } from '@np/users/contracts';
import type { CredentialsService } from '../credentials/credentials.service.js';
import type { RefreshTokensService } from '../refresh/refresh-tokens.service.js';
import { EmbeddedIdentityProvider } from './embedded-identity-provider.js';

const ada: Identity = { id: '7d4f3a5e-1c2b-4a8e-9f0d-3b6c5a4e2d1f', email: 'ada@example.com', displayName: 'Ada', roles: ['member'] };
const pair: TokenPair = { access_token: 'a', refresh_token: 'r', token_type: 'Bearer', expires_in: 900 };

function setup(byEmail: (email: string) => Promise<Identity | undefined> = (email) => Promise.resolve(email === ada.email ? ada : undefined)) {
  const verify = jest.fn((userId: string | undefined, password: string) => Promise.resolve(userId === ada.id && password === 'right password'));
  const start = jest.fn<(identity: Identity) => Promise<TokenPair>>(() => Promise.resolve(pair));
  const provider = new EmbeddedIdentityProvider(
    { byEmail, byId: () => Promise.resolve(undefined) },
    { verify } as unknown as CredentialsService,
    { start } as unknown as RefreshTokensService,
    { jwks: () => Promise.resolve({ keys: [] }) },
    { NP_ISSUER: 'http://localhost:3000', NP_PUBLIC_URL: 'http://localhost:3000' },
  );
  return { provider, verify, start };
}

describe('EmbeddedIdentityProvider', () => {
  it('opens a session for the right password', async () => {
    const { provider, start } = setup();
    await expect(provider.signIn(ada.email, 'right password')).resolves.toBe(pair);
    expect(start).toHaveBeenCalledWith(ada);
  });

  it('answers a wrong password and an unknown email alike, still running the hash check', async () => {
    const { provider, verify, start } = setup();
    await expect(provider.signIn(ada.email, 'wrong password')).resolves.toBeNull();
    await expect(provider.signIn('nobody@example.com', 'right password')).resolves.toBeNull();
    expect(verify).toHaveBeenCalledWith(undefined, 'right password');
    expect(start).not.toHaveBeenCalled();
  });

  it('lets a failed lookup through without checking the password', async () => {
    const { provider, verify } = setup(() => Promise.reject(new AppError('module_unavailable', 'users is down')));
    await expect(provider.signIn(ada.email, 'right password')).rejects.toMatchObject({ code: 'module_unavailable' });
    expect(verify).not.toHaveBeenCalled();
  });

  it("publishes its own discovery document, whose endpoints are the gateway's", async () => {
    const { provider } = setup();
    await expect(provider.discovery()).resolves.toMatchObject({ issuer: 'http://localhost:3000', token_endpoint: 'http://localhost:3000/v1/auth/login' });
  });
});

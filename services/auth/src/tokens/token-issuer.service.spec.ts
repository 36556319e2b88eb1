import { describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, type CryptoKey, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { generateSigningKey } from '../keys/generate-signing-key.js';
import { TokenIssuer, type TokenSettings } from './token-issuer.service.js';

const settings: TokenSettings = {
  NP_ISSUER: 'https://acme.example.com',
  NP_AUDIENCE: 'np-api',
  NP_TENANT: 'acme',
  NP_ACCESS_TOKEN_TTL_SECONDS: 900,
};

const identity = {
  id: '7d4f3a5e-1c2b-4a8e-9f0d-3b6c5a4e2d1f',
  email: 'ada@example.com',
  displayName: 'Ada',
  roles: ['admin' as const],
};

async function setup(now = Date.now()) {
  const key = await generateSigningKey();
  const privateKey = (await importJWK(key.privateJwk, 'ES256')) as CryptoKey;
  const issuer = new TokenIssuer({ current: () => Promise.resolve({ kid: key.kid, privateKey }) }, settings, () => now);
  return { issuer, jwks: createLocalJWKSet({ keys: [key.publicJwk] }), kid: key.kid };
}

describe('TokenIssuer', () => {
  it('signs an ES256 access token that verifies against the JWKS with issuer and audience', async () => {
    const { issuer, jwks, kid } = await setup();
    const { accessToken, expiresIn } = await issuer.issue(identity, 'session-1');

    const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, { issuer: settings.NP_ISSUER, audience: 'np-api', algorithms: ['ES256'] });

    expect(expiresIn).toBe(900);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid, typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: identity.id, tenant: 'acme', roles: ['admin'], email: 'ada@example.com', name: 'Ada' });
    expect(payload.exp! - Math.floor(payload.iat!)).toBe(900);
    expect(payload.sid).toBe('session-1');
    expect(typeof payload.jti).toBe('string');
  });

  it('gives every token its own jti', async () => {
    const { issuer } = await setup();
    const [a, b] = await Promise.all([issuer.issue(identity, 'session-1'), issuer.issue(identity, 'session-1')]);
    expect(decodeProtectedHeader(a.accessToken).kid).toBe(decodeProtectedHeader(b.accessToken).kid);
    expect(a.accessToken).not.toBe(b.accessToken);
  });

  it('is rejected for another audience or issuer', async () => {
    const { issuer, jwks } = await setup();
    const { accessToken } = await issuer.issue(identity, 'session-1');
    await expect(jwtVerify(accessToken, jwks, { issuer: settings.NP_ISSUER, audience: 'other' })).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
    await expect(jwtVerify(accessToken, jwks, { issuer: 'https://evil.example.com', audience: 'np-api' })).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  });

  it('expires after the configured lifetime', async () => {
    const { issuer, jwks } = await setup(Date.now() - 901_000);
    const { accessToken } = await issuer.issue(identity, 'session-1');
    await expect(jwtVerify(accessToken, jwks, { issuer: settings.NP_ISSUER, audience: 'np-api' })).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('is rejected by a JWKS that does not hold its key', async () => {
    const { issuer } = await setup();
    const other = await setup();
    const { accessToken } = await issuer.issue(identity, 'session-1');
    await expect(jwtVerify(accessToken, other.jwks)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });
});

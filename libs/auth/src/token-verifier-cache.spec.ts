import { describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { TokenVerifier } from './token-verifier.js';

const SUB = '3f0c1b8e-2d7a-4c55-9b1e-6a2f4d8c0e17';

async function issuer() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' };
  const sign = (expiresAtSeconds: number, issuedAtSeconds = expiresAtSeconds - 300) =>
    new SignJWT({ tenant: 'acme', roles: ['member'], sid: 's1' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://issuer.test')
      .setAudience('np-api')
      .setSubject(SUB)
      .setIssuedAt(issuedAtSeconds)
      .setExpirationTime(expiresAtSeconds)
      .sign(privateKey);
  return { jwk, sign };
}

describe('TokenVerifier cache of verified tokens', () => {
  it('verifies a token once and remembers it until its exp, not beyond', async () => {
    let now = Date.parse('2026-06-01T12:00:00Z');
    const { jwk, sign } = await issuer();
    let fetches = 0;
    const verifier = new TokenVerifier({
      issuer: 'https://issuer.test',
      audience: 'np-api',
      tenant: 'acme',
      clockToleranceSeconds: 0,
      now: () => now,
      jwks: () => {
        fetches += 1;
        return Promise.resolve({ keys: [jwk] });
      },
    });
    const token = await sign(now / 1000 + 60);

    const first = await verifier.verify(token);
    expect(first).toMatchObject({ sub: SUB, sid: 's1' });
    now += 30_000;
    await expect(verifier.verify(token)).resolves.toBe(first);
    now += 31_000;
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'token_expired' });
    expect(fetches).toBe(1);
  });

  it('never remembers a token that failed', async () => {
    const { jwk, sign } = await issuer();
    const verifier = new TokenVerifier({ issuer: 'https://issuer.test', audience: 'np-api', tenant: 'other', jwks: () => Promise.resolve({ keys: [jwk] }) });
    const token = await sign(Date.now() / 1000 + 60);
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'tenant_mismatch' });
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: 'tenant_mismatch' });
  });
});

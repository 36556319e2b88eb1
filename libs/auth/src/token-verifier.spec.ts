import { describe, expect, it } from '@jest/globals';
import { AppError } from '@np/contracts';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { TokenVerifier } from './token-verifier.js';

const ISSUER = 'http://issuer.test';
const AUDIENCE = 'np-api';
const SUB = '5b0c1c9e-2f55-4a43-8f38-0d2f1b7a9f10';

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { privateKey, jwk, kid };
}

type Key = Awaited<ReturnType<typeof keyPair>>;

function sign(key: Key, claims: Record<string, unknown> = {}, expiresIn: string | number = '5m') {
  const { aud = AUDIENCE, ...rest } = claims;
  return new SignJWT({ tenant: 'acme', roles: ['member'], ...rest })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience(aud as string)
    .setSubject(SUB)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key.privateKey);
}

function verifierFor(keys: () => Key[], fetches = { count: 0 }) {
  return new TokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    tenant: 'acme',
    refreshCooldownMs: 0,
    jwks: () => {
      fetches.count += 1;
      return Promise.resolve({ keys: keys().map((key) => key.jwk) });
    },
  });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof AppError ? error.code : 'unexpected';
  }
}

describe('TokenVerifier', () => {
  it('accepts a valid token and returns the principal', async () => {
    const key = await keyPair('k1');
    const principal = await verifierFor(() => [key]).verify(await sign(key));
    expect(principal).toEqual({ sub: SUB, tenant: 'acme', roles: ['member'], iat: expect.any(Number) });
  });

  it('refuses an expired token with token_expired', async () => {
    const key = await keyPair('k1');
    const token = await sign(key, {}, Math.floor(Date.now() / 1000) - 60);
    expect(await codeOf(verifierFor(() => [key]).verify(token))).toBe('token_expired');
  });

  it('refuses a token signed by another key that claims a known kid', async () => {
    const key = await keyPair('k1');
    const forger = await keyPair('k1');
    expect(await codeOf(verifierFor(() => [key]).verify(await sign(forger)))).toBe('token_invalid');
  });

  it('refuses the wrong audience, issuer or a garbage token', async () => {
    const key = await keyPair('k1');
    const verifier = verifierFor(() => [key]);
    expect(await codeOf(verifier.verify(await sign(key, { aud: 'other' })))).toBe('token_invalid');
    expect(await codeOf(verifier.verify('not.a.token'))).toBe('token_invalid');
  });

  it('refuses a token of another tenant with tenant_mismatch', async () => {
    const key = await keyPair('k1');
    expect(await codeOf(verifierFor(() => [key]).verify(await sign(key, { tenant: 'globex' })))).toBe('tenant_mismatch');
  });

  it('refuses a token issued in the future beyond the clock tolerance with token_invalid', async () => {
    const key = await keyPair('k1');
    const now = Math.floor(Date.now() / 1000);
    const verifier = new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, tenant: 'acme', clockToleranceSeconds: 5, jwks: () => Promise.resolve({ keys: [key.jwk] }) });
    const issuedAt = (iat: number) =>
      new SignJWT({ tenant: 'acme', roles: ['member'] })
        .setProtectedHeader({ alg: 'ES256', kid: key.kid })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(SUB)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 600)
        .sign(key.privateKey);
    expect(await codeOf(verifier.verify(await issuedAt(now + 3600)))).toBe('token_invalid');
    expect(await codeOf(verifier.verify(await issuedAt(now + 60)))).toBe('token_invalid');
    // Within the tolerance a slightly fast issuer clock is accepted.
    expect(await codeOf(verifier.verify(await issuedAt(now + 2)))).toBe('ok');
  });

  it('refuses a token whose roles claim is missing or not a list of role names', async () => {
    const key = await keyPair('k1');
    const verifier = verifierFor(() => [key]);
    expect(await codeOf(verifier.verify(await sign(key, { roles: undefined })))).toBe('token_invalid');
    expect(await codeOf(verifier.verify(await sign(key, { roles: 'admin' })))).toBe('token_invalid');
    expect(await codeOf(verifier.verify(await sign(key, { roles: [{ name: 'admin' }] })))).toBe('token_invalid');
  });

  it('grants nothing for roles the platform does not know, without refusing the token', async () => {
    const key = await keyPair('k1');
    await expect(verifierFor(() => [key]).verify(await sign(key, { roles: ['root'] }))).resolves.toMatchObject({ roles: [] });
  });

  it('refreshes keys when a token names an unknown kid (rotation)', async () => {
    const first = await keyPair('k1');
    const second = await keyPair('k2');
    let published = [first];
    const fetches = { count: 0 };
    const verifier = verifierFor(() => published, fetches);
    await verifier.verify(await sign(first));
    published = [first, second];
    await expect(verifier.verify(await sign(second))).resolves.toMatchObject({ sub: SUB });
    expect(fetches.count).toBe(2);
  });

  it('answers module_unavailable when the issuer cannot be reached', async () => {
    const key = await keyPair('k1');
    const verifier = new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, tenant: 'acme', jwks: () => Promise.reject(new Error('down')) });
    expect(await codeOf(verifier.verify(await sign(key)))).toBe('module_unavailable');
  });

  describe('a Keycloak realm as the issuer', () => {
    const REALM = 'http://keycloak.test/realms/tenant-acme';

    async function realmKey(kid: string) {
      const { privateKey, publicKey } = await generateKeyPair('RS256');
      return { privateKey, kid, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } as JWK };
    }

    /** A realm access token as Keycloak 26 issues it through the platform's claims scope. */
    function realmToken(key: Awaited<ReturnType<typeof realmKey>>, claims: Record<string, unknown> = {}, issuer = REALM) {
      return new SignJWT({
        typ: 'Bearer',
        azp: 'gateway',
        sid: '69G4AaL0IX-xS1csx55HlMNq',
        tenant: 'acme',
        roles: ['default-roles-tenant-acme', 'offline_access', 'admin', 'uma_authorization'],
        realm_access: { roles: ['default-roles-tenant-acme', 'offline_access', 'admin', 'uma_authorization'] },
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(['gateway', 'account'])
        .setSubject(SUB)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(key.privateKey);
    }

    function realmVerifier(keys: JWK[]) {
      return new TokenVerifier({ issuer: REALM, audience: 'gateway', tenant: 'acme', refreshCooldownMs: 0, jwks: () => Promise.resolve({ keys }) });
    }

    it("accepts the realm's token with the platform's roles only, and its session id", async () => {
      const key = await realmKey('realm-k1');
      const principal = await realmVerifier([key.jwk]).verify(await realmToken(key));
      expect(principal).toEqual({ sub: SUB, tenant: 'acme', roles: ['admin'], sid: '69G4AaL0IX-xS1csx55HlMNq', iat: expect.any(Number) });
    });

    it("refuses a token of another tenant's realm (other keys, other issuer) with token_invalid", async () => {
      const own = await realmKey('realm-a');
      const other = await realmKey('realm-b');
      const token = await realmToken(other, { tenant: 'globex' }, 'http://keycloak.test/realms/tenant-globex');
      expect(await codeOf(realmVerifier([own.jwk]).verify(token))).toBe('token_invalid');
      // Even with the other realm's keys at hand, its issuer is not this tenant's.
      expect(await codeOf(realmVerifier([own.jwk, other.jwk]).verify(token))).toBe('token_invalid');
    });

    it('refuses a token of the right realm whose tenant claim names another tenant with tenant_mismatch', async () => {
      const key = await realmKey('realm-k1');
      expect(await codeOf(realmVerifier([key.jwk]).verify(await realmToken(key, { tenant: 'globex' })))).toBe('tenant_mismatch');
      expect(await codeOf(realmVerifier([key.jwk]).verify(await realmToken(key, { tenant: undefined })))).toBe('tenant_mismatch');
    });
  });
});

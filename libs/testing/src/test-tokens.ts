import { randomUUID } from 'node:crypto';
import { TokenVerifier } from '@np/auth';
import type { Principal, Role } from '@np/contracts';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export const TEST_ISSUER = 'https://issuer.test';
export const TEST_AUDIENCE = 'np-api';

export interface TestTokens {
  /** A verifier that trusts only this test issuer's key, for services under test. */
  verifier: TokenVerifier;
  /** An access token for `principal`, as the auth module would issue it. */
  sign(principal: Pick<Principal, 'sub' | 'roles'> & Partial<Pick<Principal, 'sid' | 'tenant'>>): Promise<string>;
}

/** A throw-away ES256 issuer: services under test verify the tokens tests make with it. */
export async function testTokens(tenant = 'default'): Promise<TestTokens> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'ES256' };
  const verifier = new TokenVerifier({ jwks: () => Promise.resolve({ keys: [jwk] }), issuer: TEST_ISSUER, audience: TEST_AUDIENCE, tenant });
  return {
    verifier,
    sign: (principal) =>
      new SignJWT({ tenant: principal.tenant ?? tenant, roles: principal.roles, sid: principal.sid ?? randomUUID() })
        .setProtectedHeader({ alg: 'ES256', kid: 'test' })
        .setIssuer(TEST_ISSUER)
        .setAudience(TEST_AUDIENCE)
        .setSubject(principal.sub)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
  };
}

export function testPrincipal(roles: Role[], sub: string = randomUUID()): Pick<Principal, 'sub' | 'roles'> {
  return { sub, roles };
}

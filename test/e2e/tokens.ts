import { base64url, type FlattenedJWE, flattenedDecrypt, importJWK, type JWK, SignJWT } from 'jose';
import pg from 'pg';
import { ROLES } from '@np/contracts';
import { signingKeyEncryptionKeyFor } from '../harness/platform.js';

/** The platform's roles among a token's: a realm's tokens also carry Keycloak's own (`offline_access`, …). */
export function platformRoles(claims: Record<string, unknown>): string[] {
  return ((claims.roles ?? []) as string[]).filter((role) => (ROLES as readonly string[]).includes(role));
}

/**
 * Signs a token with the platform's real current signing key, read from the auth schema (and
 * decrypted with the platform's signing-key encryption key), so tests can present tokens that are
 * correctly signed but wrong in one claim (expired, another tenant). Forged tokens use a key of
 * the test's own.
 */
export async function signWithPlatformKey(databaseUrl: string, claims: Record<string, unknown>, expiresAt: number): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ kid: string; private_jwk: FlattenedJWE }>(
      'select kid, private_jwk from auth.signing_keys where retired_at is null order by created_at desc limit 1',
    );
    const row = rows[0];
    if (!row) throw new Error('no signing key found');
    const { plaintext } = await flattenedDecrypt(row.private_jwk, base64url.decode(signingKeyEncryptionKeyFor(databaseUrl)));
    const key = await importJWK(JSON.parse(new TextDecoder().decode(plaintext)) as JWK, 'ES256');
    return await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: row.kid }).setIssuedAt(expiresAt - 600).setExpirationTime(expiresAt).sign(key);
  } finally {
    await client.end();
  }
}

import { importJWK, type JWK, SignJWT } from 'jose';
import pg from 'pg';

/**
 * Signs a token with the platform's real current signing key, read from the auth schema, so
 * tests can present tokens that are correctly signed but wrong in one claim (expired, another
 * tenant). Forged tokens use a key of the test's own.
 */
export async function signWithPlatformKey(databaseUrl: string, claims: Record<string, unknown>, expiresAt: number): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ kid: string; private_jwk: JWK }>(
      'select kid, private_jwk from auth.signing_keys where retired_at is null order by created_at desc limit 1',
    );
    const row = rows[0];
    if (!row) throw new Error('no signing key found');
    const key = await importJWK(row.private_jwk, 'ES256');
    return await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: row.kid }).setIssuedAt(expiresAt - 600).setExpirationTime(expiresAt).sign(key);
  } finally {
    await client.end();
  }
}

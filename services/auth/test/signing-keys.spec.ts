import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, type FlattenedJWE, type JSONWebKeySet, jwtVerify } from 'jose';
import { createLogger } from '@np/observability';
import { openDatabase, quoteIdentifier } from '@np/persistence';
import pg from 'pg';
import { authEntities, authMigrations } from '../src/index.js';
import { generateSigningKey } from '../src/keys/generate-signing-key.js';
import { type AuthHarness, authTestSettings, FakeUsers, registerUser, startAuthHarness, startOnFreshBus } from './auth-harness.js';

const verifyWith = async (harness: AuthHarness, token: string) => {
  const jwks = createLocalJWKSet((await harness.client.call('auth.jwks', {})) as JSONWebKeySet);
  return jwtVerify(token, jwks, { issuer: 'https://acme.example.com', audience: 'np-api', algorithms: ['ES256'] });
};

describe('signing keys and JWKS (real PostgreSQL)', () => {
  let harness: AuthHarness;

  beforeAll(async () => {
    harness = await startAuthHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  const loginToken = async (email: string) => {
    await registerUser(harness, email, 'correct horse battery', ['admin']);
    return (await harness.client.call('auth.login', { email, password: 'correct horse battery', ip: '10.0.0.1' })).access_token;
  };

  it('issues access tokens that verify against the published JWKS with issuer and audience', async () => {
    const token = await loginToken('ada@example.com');
    const { payload, protectedHeader } = await verifyWith(harness, token);

    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ iss: 'https://acme.example.com', aud: 'np-api', tenant: 'acme', roles: ['admin'], email: 'ada@example.com', name: 'ada' });
    expect(payload.exp! - Math.floor(payload.iat!)).toBe(900);
    const { keys } = await harness.client.call('auth.jwks', {});
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('stores private keys encrypted: no private parameter of the key in the row', async () => {
    await loginToken('row@example.com');
    const rows = await harness.query<{ private_jwk: Record<string, unknown> }>('select private_jwk from $schema.signing_keys');

    expect(rows.length).toBeGreaterThan(0);
    for (const { private_jwk: stored } of rows) {
      expect(Object.keys(stored).sort()).toEqual(['ciphertext', 'iv', 'protected', 'tag']);
      expect(stored).not.toHaveProperty('d');
      expect(decodeProtectedHeader(stored as unknown as FlattenedJWE)).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
    }
  });

  it('keeps its key across a restart', async () => {
    const before = decodeProtectedHeader(await loginToken('bob@example.com')).kid;
    await harness.restart();
    const token = await loginToken('carol@example.com');

    expect(decodeProtectedHeader(token).kid).toBe(before);
    expect(await harness.query('select kid from $schema.signing_keys')).toHaveLength(1);
  });

  it('after rotation signs with the new key and still publishes the old one', async () => {
    const oldToken = await loginToken('dave@example.com');
    const newKid = await harness.service.rotateSigningKey();
    const newToken = await loginToken('erin@example.com');

    expect(decodeProtectedHeader(newToken).kid).toBe(newKid);
    await expect(verifyWith(harness, oldToken)).resolves.toBeDefined();
    await expect(verifyWith(harness, newToken)).resolves.toBeDefined();
    expect(await harness.query('select kid from $schema.signing_keys where retired_at is null')).toEqual([{ kid: newKid }]);
  });

  it('encrypts a private key stored in plain text (from before encryption) on start, and goes on signing with it', async () => {
    const legacy = await generateSigningKey();
    await harness.query('update $schema.signing_keys set retired_at = now() where retired_at is null');
    await harness.query('insert into $schema.signing_keys (kid, private_jwk, public_jwk) values ($1, $2, $3)', [legacy.kid, legacy.privateJwk, legacy.publicJwk]);

    await harness.restart();

    const token = await loginToken('gina@example.com');
    expect(decodeProtectedHeader(token).kid).toBe(legacy.kid);
    await expect(verifyWith(harness, token)).resolves.toBeDefined();
    const rows = await harness.query<{ private_jwk: Record<string, unknown> }>('select private_jwk from $schema.signing_keys where kid = $1', [legacy.kid]);
    expect(rows[0]!.private_jwk).not.toHaveProperty('d');
    expect(rows[0]!.private_jwk).toHaveProperty('ciphertext');
  });

  it('refuses to start with another encryption key, naming the setting', async () => {
    const otherKey = { ...harness.settings, NP_SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url') };
    await expect(startOnFreshBus(otherKey, harness.users)).rejects.toThrow(/NP_SIGNING_KEY_ENCRYPTION_KEY/);
  });
});

describe('first start of two replicas at once (real PostgreSQL)', () => {
  const settings = authTestSettings();

  afterAll(async () => {
    const client = new pg.Client({ connectionString: settings.NP_DATABASE_URL });
    await client.connect();
    await client.query(`drop schema if exists ${quoteIdentifier(settings.NP_AUTH_SCHEMA)} cascade`);
    await client.end();
  });

  it('creates exactly one active signing key', async () => {
    // Migrate first: this test is about key creation, not about concurrent migrations.
    const db = await openDatabase({
      url: settings.NP_DATABASE_URL,
      schema: settings.NP_AUTH_SCHEMA,
      entities: authEntities,
      migrations: authMigrations(settings.NP_AUTH_SCHEMA),
      logger: createLogger({ service: 'auth-test', level: 'silent' }),
    });
    await db.close();

    const users = new FakeUsers();
    const replicas = await Promise.all([startOnFreshBus(settings, users), startOnFreshBus(settings, users), startOnFreshBus(settings, users)]);
    try {
      const jwks = await Promise.all(replicas.map((replica) => replica.client.call('auth.jwks', {})));
      const kids = new Set(jwks.flatMap((set) => set.keys.map((key) => key.kid)));
      expect(kids.size).toBe(1);
    } finally {
      for (const replica of replicas) {
        await replica.service.close();
        await replica.transport.close();
      }
    }
  });
});

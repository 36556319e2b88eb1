import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { httpJwksProvider, TokenVerifier } from '@np/auth';
import type { Principal } from '@np/contracts';
import { decodeJwt } from 'jose';
import { freePort as closedPort } from '../../../test/harness/free-port.js';
import { provisionTenantRealm, type TenantRealm } from '../../../test/harness/tenant-realm.js';
import { type AuthHarness, startAuthHarness } from './auth-harness.js';

// Realm creation and password grants against a real Keycloak take seconds on a busy 2-core machine.
jest.setTimeout(120_000);


describe('auth with the keycloak identity provider (real Keycloak and PostgreSQL, fake users module)', () => {
  let realm: TenantRealm;
  let harness: AuthHarness;
  let verifier: TokenVerifier;
  let adminId: string;

  const login = (password = realm.admin.password, ip = '10.0.0.1') => harness.client.call('auth.login', { email: realm.admin.email, password, ip });
  const verify = (token: string): Promise<Principal> => verifier.verify(token);

  beforeAll(async () => {
    realm = await provisionTenantRealm('kc-auth');
    harness = await startAuthHarness({ ...realm.env, NP_LOGIN_MAX_FAILURES: '3' });
    verifier = new TokenVerifier({ jwks: httpJwksProvider(realm.env.NP_JWKS_URL!), issuer: realm.issuer, audience: 'gateway', tenant: realm.tenant, cacheSize: 0 });
    const hand = await realm.hand();
    const [user] = await hand.users.find({ realm: realm.spec.realm, username: realm.admin.email, exact: true });
    adminId = user!.id!;
    harness.users.add(realm.admin.email, ['admin'], adminId);
  });

  afterAll(async () => {
    await harness?.close();
    await realm?.remove();
  });

  it("signs in through the realm's direct grant: the pair has the usual shape, the access token is the realm's with the admin role", async () => {
    const pair = await login();
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number), refresh_token: expect.any(String) });
    expect(decodeJwt(pair.access_token).iss).toBe(realm.issuer);
    expect(await verify(pair.access_token)).toMatchObject({ sub: adminId, tenant: realm.tenant, roles: ['admin'], sid: expect.any(String) });
  });

  it('answers invalid_credentials for a wrong password or an unknown email, and the throttle stands in front of Keycloak', async () => {
    // A user of its own: Keycloak's brute-force protection locks an account a minute after quick failures.
    const hand = await realm.hand();
    const email = `guessed@${realm.tenant}.example.test`;
    await hand.users.create({
      realm: realm.spec.realm,
      username: email,
      email,
      emailVerified: true,
      enabled: true,
      firstName: 'Guessed',
      lastName: 'User',
      credentials: [{ type: 'password', value: 'the right password', temporary: false }],
    });
    const attempt = (password: string) => harness.client.call('auth.login', { email, password, ip: '10.0.0.2' });
    await expect(attempt('wrong password')).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(harness.client.call('auth.login', { email: 'nobody@example.test', password: 'x', ip: '10.0.0.2' })).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(attempt('wrong password')).rejects.toMatchObject({ code: 'invalid_credentials' });
    await expect(attempt('wrong password')).rejects.toMatchObject({ code: 'invalid_credentials' });
    // Three failures for this account from this address: even the right password is not handed to Keycloak now.
    await expect(attempt('the right password')).rejects.toMatchObject({ code: 'login_throttled', details: { retryAfterSeconds: expect.any(Number) } });
  });

  it('refreshes through the realm, and answers refresh_token_invalid for a token it does not know', async () => {
    const pair = await login();
    const next = await harness.client.call('auth.refresh', { refresh_token: pair.refresh_token });
    expect(await verify(next.access_token)).toMatchObject({ sub: adminId, roles: ['admin'] });
    await expect(harness.client.call('auth.refresh', { refresh_token: 'not-a-refresh-token' })).rejects.toMatchObject({ code: 'refresh_token_invalid' });
  });

  it("ends the Keycloak session at logout and records its revocation for the gateways; unknown tokens are ignored", async () => {
    const pair = await login();
    const { sid } = await verify(pair.access_token);
    await expect(harness.client.call('auth.logout', { refresh_token: pair.refresh_token })).resolves.toEqual({ ok: true });
    const revocations = await harness.clientAs('gateway').call('auth.revocations.list', {});
    expect(revocations.sessions).toContainEqual(expect.objectContaining({ sessionId: sid, userId: adminId }));
    await expect(harness.client.call('auth.refresh', { refresh_token: pair.refresh_token })).rejects.toMatchObject({ code: 'refresh_token_invalid' });
    await expect(harness.client.call('auth.logout', { refresh_token: 'not-a-refresh-token' })).resolves.toEqual({ ok: true });
    // Keycloak accepts the same refresh token at its logout again; the revocation is recorded once.
    await expect(harness.client.call('auth.logout', { refresh_token: pair.refresh_token })).resolves.toEqual({ ok: true });
    expect(await harness.query('select 1 from $schema.revocations where subject = $1', [sid])).toHaveLength(1);
  });

  it('confirms the current password through the realm without leaving a session behind', async () => {
    const hand = await realm.hand();
    const before = (await hand.users.listSessions({ realm: realm.spec.realm, id: adminId })).length;
    await expect(harness.client.call('auth.credentials.verify', { userId: adminId, password: realm.admin.password })).resolves.toEqual({ ok: true });
    await expect(harness.client.call('auth.credentials.verify', { userId: adminId, password: 'wrong password' })).rejects.toMatchObject({ code: 'current_password_invalid' });
    await expect(harness.client.call('auth.credentials.verify', { userId: randomUUID(), password: 'anything' })).rejects.toMatchObject({ code: 'current_password_invalid' });
    expect(await hand.users.listSessions({ realm: realm.spec.realm, id: adminId })).toHaveLength(before);
  });

  it('refuses to keep a password itself: the realm holds them', async () => {
    await expect(harness.client.call('auth.credentials.set', { userId: adminId, password: 'a new password' })).rejects.toMatchObject({ code: 'conflict' });
  });

  it("answers the realm's keys and discovery document (authorization code with PKCE against the realm)", async () => {
    const certs = (await (await fetch(realm.env.NP_JWKS_URL!)).json()) as { keys: unknown[] };
    expect(await harness.client.call('auth.jwks', {})).toEqual({ keys: certs.keys });
    const discovery = await harness.client.call('auth.discovery', {});
    expect(discovery).toMatchObject({
      issuer: realm.issuer,
      jwks_uri: realm.env.NP_JWKS_URL,
      authorization_endpoint: `${realm.issuer}/protocol/openid-connect/auth`,
      token_endpoint: `${realm.issuer}/protocol/openid-connect/token`,
    });
    expect(discovery.code_challenge_methods_supported).toContain('S256');
  });

  it('revokes the access tokens of sessions the users module ended in the realm (a password change)', async () => {
    const eventId = randomUUID();
    const user = { id: adminId, email: realm.admin.email, displayName: 'Admin', roles: ['admin'], createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() };
    await harness.transport.publish({ id: eventId, name: 'users.user.updated', payload: { user, changed: ['password'], endedSessions: ['ended-1', 'ended-2'] }, occurredAt: new Date().toISOString() });
    await harness.transport.drain();
    const revocations = await harness.clientAs('gateway').call('auth.revocations.list', {});
    expect(revocations.sessions.map((session) => session.sessionId)).toEqual(expect.arrayContaining(['ended-1', 'ended-2']));
    // The password change alone cuts nobody off: the session that made it stays.
    expect(revocations.users.map((cutoff) => cutoff.userId)).not.toContain(adminId);
  });

  describe('when Keycloak fails', () => {
    const failures: [string, () => Promise<Record<string, string>>][] = [
      ['is down', async () => ({ NP_KEYCLOAK_URL: `http://127.0.0.1:${await closedPort()}` })],
      ['refuses the gateway client (wrong secret)', () => Promise.resolve({ NP_KEYCLOAK_CLIENT_SECRET: 'not-the-secret' })],
      ['issues tokens under another issuer than NP_ISSUER', () => Promise.resolve({ NP_ISSUER: 'https://elsewhere.example.test/realms/x' })],
    ];

    it.each(failures)('answers identity_provider_unavailable when it %s, and the attempt does not count as a failure', async (_what, change) => {
      const broken = await startAuthHarness({ ...realm.env, ...(await change()), NP_LOGIN_MAX_FAILURES: '1' });
      try {
        const attempt = () => broken.client.call('auth.login', { email: realm.admin.email, password: realm.admin.password, ip: '10.0.0.9' });
        await expect(attempt()).rejects.toMatchObject({ code: 'identity_provider_unavailable' });
        // With one failure allowed, a counted attempt would throttle the next one.
        await expect(attempt()).rejects.toMatchObject({ code: 'identity_provider_unavailable' });
        expect(await broken.query('select 1 from $schema.login_failures')).toHaveLength(0);
        await expect(broken.client.call('auth.refresh', { refresh_token: 'x' })).rejects.toMatchObject({ code: 'identity_provider_unavailable' });
      } finally {
        await broken.close();
      }
    });
  });
});

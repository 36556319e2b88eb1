import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import { decodeJwt } from 'jose';
import { authorizationCodeLogin, passwordGrant, testKeycloakSettings } from '../../operator/test/infrastructure/support/keycloak.js';
import { waitUntil } from '../harness/child-process.js';
import { ApiClient, type ApiResponse } from '../harness/http-client.js';
import { type PlatformUnderTest, shapeUnderTest, startPlatform } from '../harness/platform.js';
import { provisionTenantRealm, type TenantRealm, WEB_REDIRECT } from '../harness/tenant-realm.js';

// The cluster shape's identity: the distributed platform configured as the operator configures a
// tenant's processes (the environment contract: the tenant's Keycloak realm as the issuer, auth
// and users on the keycloak provider), against a realm provisioned by the operator's identity
// provisioner on the real Keycloak. The embedded shape keeps its own issuer, so this spec runs in
// the distributed shape only.
const shape = shapeUnderTest();
const describeDistributed = shape === 'distributed' ? describe : describe.skip;
const REVOCATION_DEADLINE_MS = 5000;

// Realm provisioning and Keycloak sign-ins take seconds each on a busy 2-core machine.
jest.setTimeout(120_000);

function expectError(response: ApiResponse<unknown>, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { code?: string }).code }).toEqual({ status, code });
}

describeDistributed('identity from a tenant realm in Keycloak (distributed, keycloak provider)', () => {
  let realmA: TenantRealm;
  let realmB: TenantRealm;
  let platform: PlatformUnderTest;
  let api: ApiClient;
  let hand: KeycloakAdminClient;
  let adminToken: string;

  const realm = () => realmA.spec.realm;
  const keycloak = testKeycloakSettings();

  beforeAll(async () => {
    realmA = await provisionTenantRealm('e2e-a');
    realmB = await provisionTenantRealm('e2e-b');
    hand = await realmA.hand();
    platform = await startPlatform('distributed', {
      env: {
        ...realmA.env,
        // The operator's first admin; the users module finds it in the realm and leaves it be.
        NP_BOOTSTRAP_ADMIN_EMAIL: realmA.admin.email,
        NP_BOOTSTRAP_ADMIN_PASSWORD: realmA.admin.password,
        NP_RPC_TIMEOUT_MS: '10000',
      },
    });
    api = new ApiClient(platform.url);
    adminToken = (await api.login(realmA.admin.email, realmA.admin.password)).access_token;
  }, 240_000);

  afterAll(async () => {
    await platform?.close();
    await realmA?.remove();
    await realmB?.remove();
  }, 60_000);

  /** Waits until the gateway refuses the token as revoked (revocations travel as events). */
  async function revoked(token: string, path: string): Promise<void> {
    const code = async () => ((await api.request('GET', path, { token })).body as { code?: string }).code;
    await waitUntil('the access token to be revoked', async () => (await code()) === 'token_revoked', REVOCATION_DEADLINE_MS);
  }

  async function createUser(roles: string[], password = `pw-${randomUUID()}`) {
    const email = `user-${randomUUID().slice(0, 8)}@e2e.test`;
    const created = await api.request<{ id: string }>('POST', '/v1/users', { token: adminToken, json: { email, displayName: 'Realm User', password, roles } });
    expect(created.status).toBe(201);
    return { id: created.body.id, email, password };
  }

  it("signs in through /v1/auth/login with a realm token the gateway accepts with the user's roles: the admin lists users, a member may not", async () => {
    expect(decodeJwt(adminToken)).toMatchObject({ iss: realmA.issuer, tenant: realmA.tenant, roles: expect.arrayContaining(['admin', 'offline_access']) });
    expect((await api.request('GET', '/v1/users', { token: adminToken })).status).toBe(200);
    // The operator's first admin was made in the realm; the users module recorded it at start under its realm id.
    const sub = decodeJwt(adminToken).sub;
    await waitUntil('the realm admin to be recorded', async () => (await api.request('GET', '/v1/auth/me', { token: adminToken })).status === 200, 10_000);
    expect(await api.request('GET', '/v1/auth/me', { token: adminToken })).toMatchObject({ status: 200, body: { id: sub, email: realmA.admin.email, roles: ['admin'] } });

    const member = await createUser(['member']);
    const pair = await api.login(member.email, member.password);
    expect(decodeJwt(pair.access_token).sub).toBe(member.id);
    expectError(await api.request('GET', '/v1/users', { token: pair.access_token }), 403, 'forbidden');
    // The realm user's id is the platform user's: the member may read their own profile, and auth knows them.
    expect(await api.request('GET', `/v1/users/${member.id}`, { token: pair.access_token })).toMatchObject({ status: 200, body: { id: member.id, email: member.email } });
    expect(await api.request('GET', '/v1/auth/me', { token: pair.access_token })).toMatchObject({ status: 200, body: { id: member.id, roles: ['member'] } });
    expectError(await api.request('POST', '/v1/auth/login', { json: { email: member.email, password: 'not-the-password' } }), 401, 'invalid_credentials');
  });

  it('refreshes through the realm; an unknown refresh token is refresh_token_invalid', async () => {
    const member = await createUser(['member']);
    const pair = await api.login(member.email, member.password);
    const refreshed = await api.request<{ access_token: string; refresh_token: string; token_type: string }>('POST', '/v1/auth/refresh', { json: { refresh_token: pair.refresh_token } });
    expect(refreshed).toMatchObject({ status: 200, body: { token_type: 'Bearer' } });
    expect(await api.request('GET', `/v1/users/${member.id}`, { token: refreshed.body.access_token })).toMatchObject({ status: 200 });
    expectError(await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: 'not-a-refresh-token' } }), 401, 'refresh_token_invalid');
  });

  it('logs out: the Keycloak session ends and the access token is refused at once with token_revoked', async () => {
    const member = await createUser(['member']);
    const pair = await api.login(member.email, member.password);
    const profile = `/v1/users/${member.id}`;
    expect((await api.request('GET', profile, { token: pair.access_token })).status).toBe(200);
    expect(await api.request('POST', '/v1/auth/logout', { json: { refresh_token: pair.refresh_token } })).toMatchObject({ status: 200, body: { ok: true } });
    await revoked(pair.access_token, profile);
    expectError(await api.request('GET', profile, { token: pair.access_token }), 401, 'token_revoked');
    expectError(await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: pair.refresh_token } }), 401, 'refresh_token_invalid');
    expect(await hand.users.listSessions({ realm: realm(), id: member.id })).toEqual([]);
  });

  it("refuses a token of tenant B's realm at tenant A's gateway (another issuer, other keys)", async () => {
    const answer = await passwordGrant(keycloak, realmB.spec.realm, realmB.spec.gatewayClient, { username: realmB.admin.email, password: realmB.admin.password });
    expect(answer.status).toBe(200);
    const tokenB = answer.body.access_token!;
    expect(decodeJwt(tokenB)).toMatchObject({ tenant: realmB.tenant, roles: expect.arrayContaining(['admin']) });
    expectError(await api.request('GET', '/v1/users', { token: tokenB }), 401, 'token_invalid');
  });

  it("refuses a token of A's realm whose tenant claim names another tenant with tenant_mismatch", async () => {
    const scope = (await hand.clientScopes.find({ realm: realm() })).find(({ name }) => name === 'tenant');
    const mapper = scope?.protocolMappers?.find(({ name }) => name === 'tenant');
    if (!scope?.id || !mapper?.id) throw new Error('the realm has no tenant claim mapper');
    const update = (value: string) =>
      hand.clientScopes.updateProtocolMapper({ realm: realm(), id: scope.id!, mapperId: mapper.id! }, { ...mapper, config: { ...mapper.config, 'claim.value': value } });
    await update('someone-else');
    try {
      const answer = await passwordGrant(keycloak, realm(), realmA.spec.gatewayClient, { username: realmA.admin.email, password: realmA.admin.password });
      expect(decodeJwt(answer.body.access_token!)).toMatchObject({ iss: realmA.issuer, tenant: 'someone-else' });
      expectError(await api.request('GET', '/v1/users', { token: answer.body.access_token! }), 401, 'tenant_mismatch');
    } finally {
      await update(realmA.tenant);
    }
  });

  it("accepts a token a web app got by authorization code + PKCE (openid-client) against the realm's web client; the gateway's discovery document points there", async () => {
    const discovery = await api.request<Record<string, unknown>>('GET', '/.well-known/openid-configuration');
    expect(discovery).toMatchObject({
      status: 200,
      body: { issuer: realmA.issuer, authorization_endpoint: `${realmA.issuer}/protocol/openid-connect/auth`, code_challenge_methods_supported: expect.arrayContaining(['S256']) },
    });
    const jwks = await api.request<{ keys: { kid: string }[] }>('GET', '/.well-known/jwks.json');
    const certs = (await (await fetch(realmA.env.NP_JWKS_URL!)).json()) as { keys: { kid: string }[] };
    expect(jwks.body.keys.map(({ kid }) => kid)).toEqual(certs.keys.map(({ kid }) => kid));

    const { accessToken } = await authorizationCodeLogin(keycloak, realm(), 'web', WEB_REDIRECT, { username: realmA.admin.email, password: realmA.admin.password });
    expect(decodeJwt(accessToken)).toMatchObject({ azp: 'web', tenant: realmA.tenant });
    expect((await api.request('GET', '/v1/users', { token: accessToken })).status).toBe(200);
  });

  it('keeps the realm user in step with /v1/users: create, update (email, name, roles), delete; the user signs in throughout', async () => {
    const member = await createUser(['member']);
    expect(await hand.users.findOne({ realm: realm(), id: member.id })).toMatchObject({ email: member.email, firstName: 'Realm', lastName: 'User', enabled: true });
    const before = await api.login(member.email, member.password);

    const email = `moved-${randomUUID().slice(0, 8)}@e2e.test`;
    const patched = await api.request('PATCH', `/v1/users/${member.id}`, { token: adminToken, json: { email, displayName: 'Moved Person', roles: ['manager'] } });
    expect(patched).toMatchObject({ status: 200, body: { email, roles: ['manager'] } });
    expect(await hand.users.findOne({ realm: realm(), id: member.id })).toMatchObject({ email, firstName: 'Moved', lastName: 'Person' });
    const roles = (await hand.users.listRealmRoleMappings({ realm: realm(), id: member.id })).map(({ name }) => name);
    expect(roles).toContain('manager');
    expect(roles).not.toContain('member');
    // The member's old token carried the old role: refused; a sign-in with the new email gets the new one.
    await revoked(before.access_token, `/v1/users/${member.id}`);
    expectError(await api.request('POST', '/v1/auth/login', { json: { email: member.email, password: member.password } }), 401, 'invalid_credentials');
    const manager = await api.login(email, member.password);
    // A realm token's iat is whole seconds: one issued in the second of the role change is refused too, so wait for one after it.
    let token = manager.access_token;
    await waitUntil('a token with the new role to be accepted', async () => {
      const answer = await api.request('GET', '/v1/users', { token });
      if (answer.status === 200) return true;
      token = (await api.login(email, member.password)).access_token;
      return false;
    }, 10_000);
    expect(decodeJwt(token).roles).toEqual(expect.arrayContaining(['manager']));

    expect((await api.request('DELETE', `/v1/users/${member.id}`, { token: adminToken })).status).toBe(204);
    expect(await hand.users.findOne({ realm: realm(), id: member.id })).toBeFalsy();
    expectError(await api.request('POST', '/v1/auth/login', { json: { email, password: member.password } }), 401, 'invalid_credentials');
    await revoked(token, '/v1/users');
  });

  it('changes a password in the realm: the session that did it stays, the others are refused at once', async () => {
    const member = await createUser(['member']);
    const mine = await api.login(member.email, member.password);
    const other = await api.login(member.email, member.password);
    const profile = `/v1/users/${member.id}`;
    const changed = await api.request('PATCH', profile, { token: mine.access_token, json: { password: 'a-brand-new-password', currentPassword: member.password } });
    expect(changed.status).toBe(200);
    await revoked(other.access_token, profile);
    expect((await api.request('GET', profile, { token: mine.access_token })).status).toBe(200);
    expectError(await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: other.refresh_token } }), 401, 'refresh_token_invalid');
    expectError(await api.request('POST', '/v1/auth/login', { json: { email: member.email, password: member.password } }), 401, 'invalid_credentials');
    await expect(api.login(member.email, 'a-brand-new-password')).resolves.toMatchObject({ access_token: expect.any(String) });
    expectError(
      await api.request('PATCH', profile, { token: mine.access_token, json: { password: 'yet-another-password', currentPassword: 'wrong-current' } }),
      403,
      'current_password_invalid',
    );
  });
});

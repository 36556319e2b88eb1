import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { NotOwnedError, ServerUnavailableError } from '../../src/infrastructure/provisioner.js';
import {
  KeycloakIdentityProvisioner,
  TENANT_CLAIM,
  USERS_CLIENT_ROLES,
  tenantRealmName,
  type IdentitySpec,
  type KeycloakAdminSettings,
} from '../../src/infrastructure/identity/index.js';
import {
  authorizationCodeLogin,
  authorizationWithoutPkce,
  handAdmin,
  issuer,
  passwordGrant,
  serviceAccountAdmin,
  testKeycloakSettings,
  verifyWithRealm,
} from './support/keycloak.js';

// Realm creation and logins against a real Keycloak take seconds each on a busy 2-core machine.
jest.setTimeout(180_000);

const run = randomBytes(3).toString('hex');
const WEB_REDIRECT = 'http://127.0.0.1/np-web/callback';
const MOBILE_REDIRECT = 'dev.np.mobile:/oauth/callback';

function spec(tenant: string, overrides: Partial<IdentitySpec> = {}): IdentitySpec {
  return {
    tenant,
    mode: 'realm',
    realm: tenantRealmName(tenant),
    gatewayClient: { clientId: 'gateway', secret: `gw-${randomBytes(12).toString('hex')}` },
    usersClient: { clientId: 'users', secret: `us-${randomBytes(12).toString('hex')}` },
    publicClients: [
      { clientId: 'web', redirectUris: [WEB_REDIRECT] },
      { clientId: 'mobile', redirectUris: [MOBILE_REDIRECT] },
    ],
    admin: { email: `admin@${tenant}.example.test`, password: `pw-${randomBytes(12).toString('hex')}` },
    ...overrides,
  };
}

function admin(of: IdentitySpec): { username: string; password: string } {
  return { username: of.admin.email, password: of.admin.password };
}

async function gatewayLogin(settings: KeycloakAdminSettings, of: IdentitySpec): Promise<string> {
  const answer = await passwordGrant(settings, of.realm, of.gatewayClient, admin(of));
  expect(answer).toMatchObject({ status: 200 });
  return answer.body.access_token!;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const settings = testKeycloakSettings();
let hand: KeycloakAdminClient;
const cleanup: string[] = [];

beforeAll(async () => {
  hand = await handAdmin(settings);
});

afterAll(async () => {
  hand = await handAdmin(settings);
  for (const realm of cleanup) await hand.realms.del({ realm }, { catchNotFound: true });
});

describe('identity provisioner, realm mode (real Keycloak)', () => {
  const a = spec(`kc-a-${run}`);
  const b = spec(`kc-b-${run}`);
  const provisioner = new KeycloakIdentityProvisioner(settings);

  beforeAll(async () => {
    cleanup.push(a.realm, b.realm);
    await provisioner.ensure(a);
    await provisioner.ensure(b);
  });

  it('gives each tenant its realm with the roles, clients and claims scope', async () => {
    const realm = await hand.realms.findOne({ realm: a.realm });
    expect(realm?.attributes).toMatchObject({ 'np-owner': 'np-platform-operator', 'np-tenant': a.tenant });
    const roles = (await hand.roles.find({ realm: a.realm })).map(({ name }) => name);
    expect(roles).toEqual(expect.arrayContaining(['admin', 'manager', 'member']));
    const [gateway] = await hand.clients.find({ realm: a.realm, clientId: 'gateway' });
    expect(gateway).toMatchObject({ publicClient: false, directAccessGrantsEnabled: true, standardFlowEnabled: false, serviceAccountsEnabled: false });
    const [web] = await hand.clients.find({ realm: a.realm, clientId: 'web' });
    expect(web).toMatchObject({ publicClient: true, standardFlowEnabled: true, directAccessGrantsEnabled: false, redirectUris: [WEB_REDIRECT] });
    expect(web?.attributes?.['pkce.code.challenge.method']).toBe('S256');
    expect(web?.defaultClientScopes).toContain('tenant');
  });

  it("logs tenant A's admin in through the gateway client (password grant): the token carries tenant A and role admin", async () => {
    const token = await gatewayLogin(settings, a);
    const claims = await verifyWithRealm(settings, a.realm, token, 'gateway');
    expect(claims[TENANT_CLAIM]).toBe(a.tenant);
    expect(claims.roles).toEqual(expect.arrayContaining(['admin']));
    expect(claims.azp).toBe('gateway');
  });

  it("refuses A's token against B's JWKS and B's issuer", async () => {
    const token = await gatewayLogin(settings, a);
    await expect(verifyWithRealm(settings, b.realm, token)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    // Signed by A's key, but not issued by B: refused when B's issuer is expected.
    const jwksA = createRemoteJWKSet(new URL(`${issuer(settings, a.realm)}/protocol/openid-connect/certs`));
    await expect(jwtVerify(token, jwksA, { issuer: issuer(settings, b.realm) })).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' });
    // B's admin cannot log in to A's realm either.
    expect(await passwordGrant(settings, a.realm, a.gatewayClient, admin(b))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('refuses the password grant to a public client and a wrong gateway secret', async () => {
    expect(await passwordGrant(settings, a.realm, { clientId: 'web' }, admin(a))).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    expect(await passwordGrant(settings, a.realm, { clientId: 'gateway', secret: 'wrong' }, admin(a))).toMatchObject({ status: 401, body: { error: 'unauthorized_client' } });
  });

  it('logs in through the web client with authorization code + PKCE (openid-client)', async () => {
    const { accessToken, idToken } = await authorizationCodeLogin(settings, a.realm, 'web', WEB_REDIRECT, admin(a));
    const claims = await verifyWithRealm(settings, a.realm, accessToken, 'gateway');
    expect(claims).toMatchObject({ [TENANT_CLAIM]: a.tenant, azp: 'web' });
    expect(claims.roles).toEqual(expect.arrayContaining(['admin']));
    expect(idToken).toBeDefined();
  });

  it('requires PKCE from the public clients', async () => {
    const redirect = await authorizationWithoutPkce(settings, a.realm, 'web', WEB_REDIRECT);
    expect(redirect.searchParams.get('error')).toBe('invalid_request');
    expect(redirect.searchParams.get('error_description')).toMatch(/code_challenge/);
  });

  async function usersServiceAccountRoles(of: IdentitySpec): Promise<string[]> {
    const [client] = await hand.clients.find({ realm: of.realm, clientId: 'users' });
    const account = await hand.clients.getServiceAccountUser({ realm: of.realm, id: client!.id! });
    const mappings = await hand.users.listRoleMappings({ realm: of.realm, id: account.id! });
    const realmManagement = mappings.clientMappings?.['realm-management'] as { mappings?: { name?: string }[] } | undefined;
    return (realmManagement?.mappings ?? []).map(({ name }) => name!).sort();
  }

  it("gives the users client a service account that manages its realm's users and nothing else", async () => {
    const [client] = await hand.clients.find({ realm: a.realm, clientId: 'users' });
    expect(client).toMatchObject({ publicClient: false, serviceAccountsEnabled: true, standardFlowEnabled: false, directAccessGrantsEnabled: false });
    expect(await usersServiceAccountRoles(a)).toEqual([...USERS_CLIENT_ROLES].sort());

    const users = await serviceAccountAdmin(settings, a.realm, a.usersClient);
    const email = `member-${run}@a.example.test`;
    const { id } = await users.users.create({ realm: a.realm, username: email, email, enabled: true });
    expect(await users.users.findOne({ realm: a.realm, id })).toMatchObject({ username: email });
    // Another tenant's realm, and anything beyond users in its own, are refused.
    await expect(users.users.create({ realm: b.realm, username: email, email, enabled: true })).rejects.toMatchObject({ response: { status: 403 } });
    await expect(users.users.find({ realm: b.realm, max: 1 })).rejects.toMatchObject({ response: { status: 403 } });
    await expect(users.clients.create({ realm: a.realm, clientId: `intruder-${run}` })).rejects.toMatchObject({ response: { status: 403 } });
    await expect(users.roles.create({ realm: a.realm, name: `intruder-${run}` })).rejects.toMatchObject({ response: { status: 403 } });
    await users.users.del({ realm: a.realm, id });
    // Its secret logs nobody in through the password grant.
    expect(await passwordGrant(settings, a.realm, a.usersClient, admin(a))).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
  });

  it("repairs the users client's roles (a missing one granted back, an extra one taken away) and the client deleted by hand", async () => {
    const [client] = await hand.clients.find({ realm: a.realm, clientId: 'users' });
    const account = await hand.clients.getServiceAccountUser({ realm: a.realm, id: client!.id! });
    const [realmManagement] = await hand.clients.find({ realm: a.realm, clientId: 'realm-management' });
    const manageUsers = await hand.clients.findRole({ realm: a.realm, id: realmManagement!.id!, roleName: 'manage-users' });
    const manageRealm = await hand.clients.findRole({ realm: a.realm, id: realmManagement!.id!, roleName: 'manage-realm' });
    const byHand = (role: typeof manageUsers) => ({ id: role!.id!, name: role!.name! });
    await hand.users.delClientRoleMappings({ realm: a.realm, id: account.id!, clientUniqueId: realmManagement!.id!, roles: [byHand(manageUsers)] });
    await hand.users.addClientRoleMappings({ realm: a.realm, id: account.id!, clientUniqueId: realmManagement!.id!, roles: [byHand(manageRealm)] });
    await provisioner.ensure(a);
    expect(await usersServiceAccountRoles(a)).toEqual([...USERS_CLIENT_ROLES].sort());

    await hand.clients.del({ realm: a.realm, id: client!.id! });
    await provisioner.ensure(a);
    expect(await usersServiceAccountRoles(a)).toEqual([...USERS_CLIENT_ROLES].sort());
    const users = await serviceAccountAdmin(settings, a.realm, a.usersClient);
    expect(await users.users.find({ realm: a.realm, username: a.admin.email, exact: true })).toHaveLength(1);
  });

  it('makes no write on a converged tenant', async () => {
    const before = { ...provisioner.calls };
    await provisioner.ensure(a);
    expect(provisioner.calls.writes).toBe(before.writes);
    expect(provisioner.calls.reads).toBeGreaterThan(before.reads);
  });

  it('repairs a client, the claims scope on a client and the admin user deleted by hand', async () => {
    const [web] = await hand.clients.find({ realm: a.realm, clientId: 'web' });
    await hand.clients.del({ realm: a.realm, id: web!.id! });
    const [gateway] = await hand.clients.find({ realm: a.realm, clientId: 'gateway' });
    const scope = (await hand.clientScopes.find({ realm: a.realm })).find(({ name }) => name === 'tenant');
    await hand.clients.delDefaultClientScope({ realm: a.realm, id: gateway!.id!, clientScopeId: scope!.id! });
    const [user] = await hand.users.find({ realm: a.realm, username: a.admin.email, exact: true });
    await hand.users.del({ realm: a.realm, id: user!.id! });

    await provisioner.ensure(a);

    const claims = await verifyWithRealm(settings, a.realm, await gatewayLogin(settings, a), 'gateway');
    expect(claims).toMatchObject({ [TENANT_CLAIM]: a.tenant });
    expect(claims.roles).toEqual(expect.arrayContaining(['admin']));
    const { accessToken } = await authorizationCodeLogin(settings, a.realm, 'web', WEB_REDIRECT, admin(a));
    expect(await verifyWithRealm(settings, a.realm, accessToken)).toMatchObject({ [TENANT_CLAIM]: a.tenant });
    const writes = provisioner.calls.writes;
    await provisioner.ensure(a);
    expect(provisioner.calls.writes).toBe(writes);
  });

  it('repairs the realm deleted by hand', async () => {
    await hand.realms.del({ realm: b.realm });
    await provisioner.ensure(b);
    const claims = await verifyWithRealm(settings, b.realm, await gatewayLogin(settings, b), 'gateway');
    expect(claims).toMatchObject({ [TENANT_CLAIM]: b.tenant });
  });

  it('refuses to adopt or delete a realm it did not create', async () => {
    const stranger = spec(`kc-x-${run}`);
    cleanup.push(stranger.realm);
    await hand.realms.create({ realm: stranger.realm, enabled: true });
    await expect(provisioner.ensure(stranger)).rejects.toBeInstanceOf(NotOwnedError);
    await expect(provisioner.remove(stranger)).rejects.toBeInstanceOf(NotOwnedError);
    expect(await hand.realms.findOne({ realm: stranger.realm })).toMatchObject({ realm: stranger.realm });
    // A spec that names another tenant's realm is refused before any request.
    await expect(provisioner.ensure({ ...b, tenant: a.tenant, realm: b.realm, mode: 'realm' })).rejects.toThrow(TypeError);
  });

  it('removes the realm, and a second remove has nothing to do', async () => {
    await provisioner.remove(b);
    expect(await hand.realms.findOne({ realm: b.realm })).toBeNull();
    const writes = provisioner.calls.writes;
    await provisioner.remove(b);
    expect(provisioner.calls.writes).toBe(writes);
    // A is untouched.
    await gatewayLogin(settings, a);
  });

  it('reports a server that is down, or refuses its admin, as ServerUnavailableError with its message', async () => {
    const down = new KeycloakIdentityProvisioner({ ...settings, url: `http://127.0.0.1:${await closedPort()}` });
    await expect(down.ensure(a)).rejects.toBeInstanceOf(ServerUnavailableError);
    await expect(down.ensure(a)).rejects.toThrow(/unreachable.*ECONNREFUSED/);
    const refused = new KeycloakIdentityProvisioner({ ...settings, password: 'not-the-password' });
    await expect(refused.ensure(a)).rejects.toThrow(ServerUnavailableError);
    await expect(refused.ensure(a)).rejects.toThrow('refused the admin login (400): invalid_grant: Invalid user credentials');
  });
});

describe('identity provisioner, organization mode (real Keycloak)', () => {
  const shared = `np-shared-${run}`;
  const c = spec(`kc-c-${run}`, { mode: 'organization', realm: shared });
  const d = spec(`kc-d-${run}`, { mode: 'organization', realm: shared, gatewayClient: c.gatewayClient, usersClient: c.usersClient });
  const provisioner = new KeycloakIdentityProvisioner(settings);

  beforeAll(async () => {
    cleanup.push(shared);
    await provisioner.ensure(c);
    await provisioner.ensure(d);
  });

  it('gives each tenant an organization in the shared realm, its admin a member', async () => {
    const realm = await hand.realms.findOne({ realm: shared });
    expect(realm).toMatchObject({ organizationsEnabled: true, attributes: expect.objectContaining({ 'np-owner': 'np-platform-operator' }) });
    const [organization] = await hand.organizations.find({ realm: shared, search: c.tenant, exact: true });
    expect(organization).toMatchObject({ alias: c.tenant });
    const members = await hand.organizations.listMembers({ realm: shared, orgId: organization!.id! });
    expect(members.map(({ username }) => username)).toEqual([c.admin.email]);
  });

  it('logs each admin in with a tenant claim of its organization', async () => {
    const tokenC = await gatewayLogin(settings, c);
    const claims = await verifyWithRealm(settings, shared, tokenC, 'gateway');
    expect(claims[TENANT_CLAIM]).toBe(c.tenant);
    expect(claims.roles).toEqual(expect.arrayContaining(['admin']));
    expect((await verifyWithRealm(settings, shared, await gatewayLogin(settings, d)))[TENANT_CLAIM]).toBe(d.tenant);
    const { accessToken } = await authorizationCodeLogin(settings, shared, 'web', WEB_REDIRECT, admin(d));
    expect(await verifyWithRealm(settings, shared, accessToken, 'gateway')).toMatchObject({ [TENANT_CLAIM]: d.tenant, azp: 'web' });
  });

  it('gives the shared realm one users client whose service account manages its users', async () => {
    const users = await serviceAccountAdmin(settings, shared, c.usersClient);
    const found = await users.users.find({ realm: shared, username: d.admin.email, exact: true });
    expect(found).toHaveLength(1);
    await expect(users.clients.find({ realm: shared })).rejects.toMatchObject({ response: { status: 403 } });
  });

  it('makes no write on converged tenants', async () => {
    const writes = provisioner.calls.writes;
    await provisioner.ensure(c);
    await provisioner.ensure(d);
    expect(provisioner.calls.writes).toBe(writes);
  });

  it("repairs the admin's membership, and refuses an admin who belongs to another organization", async () => {
    const [organization] = await hand.organizations.find({ realm: shared, search: c.tenant, exact: true });
    const [user] = await hand.users.find({ realm: shared, username: c.admin.email, exact: true });
    await hand.organizations.delMember({ realm: shared, orgId: organization!.id!, userId: user!.id! });
    await provisioner.ensure(c);
    expect((await verifyWithRealm(settings, shared, await gatewayLogin(settings, c)))[TENANT_CLAIM]).toBe(c.tenant);

    const thief = spec(`kc-e-${run}`, { mode: 'organization', realm: shared, gatewayClient: c.gatewayClient, usersClient: c.usersClient, admin: d.admin });
    await expect(provisioner.ensure(thief)).rejects.toBeInstanceOf(NotOwnedError);
    await provisioner.remove(thief);
  });

  it('removes the organization and its users, leaving the shared realm and the other tenant', async () => {
    await provisioner.remove(c);
    expect(await hand.organizations.find({ realm: shared, search: c.tenant, exact: true })).toEqual([]);
    expect(await hand.users.find({ realm: shared, username: c.admin.email, exact: true })).toEqual([]);
    expect(await passwordGrant(settings, shared, c.gatewayClient, admin(c))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await verifyWithRealm(settings, shared, await gatewayLogin(settings, d)))[TENANT_CLAIM]).toBe(d.tenant);
    await provisioner.remove(d);
    expect(await hand.realms.findOne({ realm: shared })).toMatchObject({ realm: shared });
  });
});

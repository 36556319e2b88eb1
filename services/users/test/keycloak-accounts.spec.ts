import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import { uniqueName } from '@np/testing';
import { decodeJwt } from 'jose';
import { passwordGrant, testKeycloakSettings } from '../../../operator/test/infrastructure/support/keycloak.js';
import { freePort as closedPort } from '../../../test/harness/free-port.js';
import { provisionTenantRealm, type TenantRealm } from '../../../test/harness/tenant-realm.js';
import { dropSchema, principal, query, startHarness, type UsersHarness } from './users-harness.js';

// Realm creation and password grants against a real Keycloak take seconds on a busy 2-core machine.
jest.setTimeout(120_000);


/** The settings of the users module's Secret in the cluster shape (the bus and database are the harness's). */
function keycloakEnv(realm: TenantRealm, overrides: Record<string, string> = {}): Record<string, string> {
  const { NP_IDENTITY_PROVIDER, NP_KEYCLOAK_URL, NP_KEYCLOAK_REALM, NP_KEYCLOAK_USERS_CLIENT_ID, NP_KEYCLOAK_USERS_CLIENT_SECRET } = realm.env;
  return { NP_IDENTITY_PROVIDER, NP_KEYCLOAK_URL, NP_KEYCLOAK_REALM, NP_KEYCLOAK_USERS_CLIENT_ID, NP_KEYCLOAK_USERS_CLIENT_SECRET, ...overrides } as Record<string, string>;
}

describe('users with the keycloak identity provider (real Keycloak and PostgreSQL)', () => {
  const admin = principal(['admin']);
  const schema = uniqueName('users_kc');
  let realm: TenantRealm;
  let harness: UsersHarness;
  let hand: KeycloakAdminClient;

  const realmName = () => realm.spec.realm;
  const realmUser = (id: string) => hand.users.findOne({ realm: realmName(), id });
  const realmRoles = async (id: string) => (await hand.users.listRealmRoleMappings({ realm: realmName(), id })).map(({ name }) => name).filter((name) => ['admin', 'manager', 'member'].includes(name!));
  const signIn = (username: string, password: string) => passwordGrant(testKeycloakSettings(), realmName(), realm.spec.gatewayClient, { username, password });

  beforeAll(async () => {
    realm = await provisionTenantRealm('kc-users');
    hand = await realm.hand();
    harness = await startHarness({ schema, env: keycloakEnv(realm) });
  });

  afterAll(async () => {
    await harness?.close();
    await dropSchema(schema);
    await realm?.remove();
  });

  it('creates the realm user first: its id is the user id, it signs in with its password and carries exactly its role', async () => {
    const user = await harness.call('users.create', { email: 'Ada@Example.test', displayName: 'Ada Lovelace', password: 'ada-password-1', roles: ['manager'] }, admin);
    expect(await realmUser(user.id)).toMatchObject({ id: user.id, email: 'ada@example.test', enabled: true, emailVerified: true, firstName: 'Ada', lastName: 'Lovelace' });
    expect(await realmRoles(user.id)).toEqual(['manager']);
    const answer = await signIn('ada@example.test', 'ada-password-1');
    expect(answer.status).toBe(200);
    expect(decodeJwt(answer.body.access_token!)).toMatchObject({ sub: user.id, tenant: realm.tenant, roles: expect.arrayContaining(['manager']) });
    expect(harness.auth.calls).toEqual([]);
  });

  it("records the realm's users holding a platform role at start (the operator's first admin) under their realm id", async () => {
    await harness.handle.bootstrap;
    const [kcAdmin] = await hand.users.find({ realm: realmName(), username: realm.admin.email, exact: true });
    const rows = await query<{ id: string; roles: string[]; display_name: string }>(`select id, roles, display_name from "${schema}".users where email = $1`, [realm.admin.email]);
    expect(rows).toEqual([{ id: kcAdmin!.id, roles: ['admin'], display_name: `Admin ${realm.tenant}` }]);
    expect(harness.published).toContainEqual(expect.objectContaining({ name: 'users.user.created', payload: { user: expect.objectContaining({ id: kcAdmin!.id }) } }));
  });

  it('answers email_taken for an email of a live realm account it does not know, writing nothing', async () => {
    const email = `console-made@${realm.tenant}.example.test`;
    // Made in Keycloak's console, without a platform role: not a platform user, and not to be taken over.
    await hand.users.create({ realm: realmName(), username: email, email, enabled: true, firstName: 'Console', lastName: 'Made', credentials: [{ type: 'password', value: 'console-password', temporary: false }] });
    const error = await harness.callError('users.create', { email, displayName: 'Impostor', password: 'impostor-pass' }, admin);
    expect(error.code).toBe('email_taken');
    expect(await query(`select 1 from "${schema}".users where email = $1`, [email])).toHaveLength(0);
    expect((await signIn(email, 'console-password')).status).toBe(200);
  });

  it('keeps email, name and roles in step, taking roles away in the realm too', async () => {
    const user = await harness.call('users.create', { email: 'bob@example.test', displayName: 'Bob', password: 'bob-password-1', roles: ['member'] }, admin);
    await harness.call('users.update', { id: user.id, changes: { email: 'robert@example.test', displayName: 'Robert (Bob) Smith', roles: ['admin'] } }, admin);
    expect(await realmUser(user.id)).toMatchObject({ email: 'robert@example.test', firstName: 'Robert', lastName: 'Bob Smith', enabled: true });
    expect(await realmRoles(user.id)).toEqual(['admin']);
    expect((await signIn('robert@example.test', 'bob-password-1')).status).toBe(200);
    expect((await signIn('bob@example.test', 'bob-password-1')).status).toBe(400);
  });

  it('answers email_taken when the realm holds the new email, leaving the user as it was', async () => {
    const user = await harness.call('users.create', { email: 'carol@example.test', displayName: 'Carol' }, admin);
    const error = await harness.callError('users.update', { id: user.id, changes: { email: realm.admin.email } }, admin);
    expect(error.code).toBe('email_taken');
    expect(await realmUser(user.id)).toMatchObject({ email: 'carol@example.test' });
  });

  it('sets a password in the realm and ends the other sessions, naming them in the event for auth', async () => {
    const user = await harness.call('users.create', { email: 'dora@example.test', displayName: 'Dora', password: 'dora-password-1' }, admin);
    const kept = await signIn('dora@example.test', 'dora-password-1');
    const other = await signIn('dora@example.test', 'dora-password-1');
    const keptSid = String(decodeJwt(kept.body.access_token!).sid);
    const otherSid = String(decodeJwt(other.body.access_token!).sid);
    harness.auth.currentPassword = 'dora-password-1';
    await harness.call('users.update', { id: user.id, changes: { password: 'dora-password-2', currentPassword: 'dora-password-1' } }, { sub: user.id, roles: ['member'], sid: keptSid });
    expect((await signIn('dora@example.test', 'dora-password-1')).status).toBe(400);
    expect((await signIn('dora@example.test', 'dora-password-2')).status).toBe(200);
    const sessions = (await hand.users.listSessions({ realm: realmName(), id: user.id })).map(({ id }) => id);
    expect(sessions).toContain(keptSid);
    expect(sessions).not.toContain(otherSid);
    const event = harness.published.findLast((published) => published.name === 'users.user.updated');
    expect(event?.payload).toMatchObject({ changed: ['password'], endedSessions: [otherSid] });
    expect(harness.auth.calls).toEqual([]);
  });

  it('answers validation_failed when the realm refuses the password, writing nothing', async () => {
    await hand.realms.update({ realm: realmName() }, { passwordPolicy: 'length(20)' });
    try {
      const error = await harness.callError('users.create', { email: 'eve@example.test', displayName: 'Eve', password: 'too-short-for-it' }, admin);
      expect(error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: 'body.password' })] });
      expect(await query(`select 1 from "${schema}".users where email = 'eve@example.test'`)).toHaveLength(0);
      expect(await hand.users.find({ realm: realmName(), email: 'eve@example.test', exact: true })).toEqual([]);
    } finally {
      await hand.realms.update({ realm: realmName() }, { passwordPolicy: '' });
    }
  });

  it('deletes the realm user with the user', async () => {
    const user = await harness.call('users.create', { email: 'fred@example.test', displayName: 'Fred', password: 'fred-password-1' }, admin);
    await harness.call('users.delete', { id: user.id }, admin);
    expect(await realmUser(user.id)).toBeFalsy();
    expect((await signIn('fred@example.test', 'fred-password-1')).status).toBe(400);
  });

  it('takes a created user back when its account cannot be enabled, and the next create of that email works', async () => {
    // The realm loses a role the create needs: enabling the account fails after the user was written.
    const [manager] = (await hand.users.listAvailableRealmRoleMappings({ realm: realmName(), id: (await hand.users.find({ realm: realmName(), username: realm.admin.email, exact: true }))[0]!.id! })).filter(({ name }) => name === 'manager');
    await hand.roles.delByName({ realm: realmName(), name: 'manager' });
    try {
      const error = await harness.callError('users.create', { email: 'gina@example.test', displayName: 'Gina', password: 'gina-password-1', roles: ['manager'] }, admin);
      expect(error.code).toBe('identity_provider_unavailable');
      expect(await query(`select 1 from "${schema}".users where email = 'gina@example.test'`)).toHaveLength(0);
      expect(harness.published.filter((event) => JSON.stringify(event.payload).includes('gina@example.test')).map((event) => event.name)).toEqual([
        'users.user.created',
        'users.user.deleted',
      ]);
      expect(await hand.users.find({ realm: realmName(), email: 'gina@example.test', exact: true })).toEqual([]);
    } finally {
      await hand.roles.create({ realm: realmName(), name: 'manager', description: manager?.description ?? 'Tenant manager' });
    }
    const user = await harness.call('users.create', { email: 'gina@example.test', displayName: 'Gina', password: 'gina-password-1', roles: ['manager'] }, admin);
    expect(await realmRoles(user.id)).toEqual(['manager']);
  });

  it('takes over a disabled realm user left by an interrupted create, with the new password', async () => {
    const { id } = await hand.users.create({
      realm: realmName(),
      username: 'hank@example.test',
      email: 'hank@example.test',
      enabled: false,
      firstName: 'Old',
      lastName: 'Name',
      credentials: [{ type: 'password', value: 'old-password-1', temporary: false }],
    });
    const user = await harness.call('users.create', { email: 'hank@example.test', displayName: 'Hank', password: 'hank-password-1' }, admin);
    expect(user.id).toBe(id);
    expect(await realmUser(id)).toMatchObject({ enabled: true, firstName: 'Hank', lastName: 'Hank' });
    expect((await signIn('hank@example.test', 'old-password-1')).status).toBe(400);
    expect((await signIn('hank@example.test', 'hank-password-1')).status).toBe(200);
  });

  it('answers identity_provider_unavailable when Keycloak is down, writing nothing', async () => {
    const downSchema = uniqueName('users_kc_down');
    const down = await startHarness({ schema: downSchema, env: keycloakEnv(realm, { NP_KEYCLOAK_URL: `http://127.0.0.1:${await closedPort()}` }) });
    try {
      const error = await down.callError('users.create', { email: 'ivy@example.test', displayName: 'Ivy', password: 'ivy-password-1' }, admin);
      expect(error.code).toBe('identity_provider_unavailable');
      expect(await query(`select 1 from "${downSchema}".users`)).toHaveLength(0);
      expect(down.published).toEqual([]);
    } finally {
      await down.close();
      await dropSchema(downSchema);
    }
  });
});

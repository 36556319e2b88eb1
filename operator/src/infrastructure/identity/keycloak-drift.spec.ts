import { describe, expect, it } from '@jest/globals';
import { tenantRealmName, type IdentitySpec } from './identity-spec.js';
import { clientUpdate, mapperChanges, missingDefaultScopes, realmUpdate, userUpdate } from './keycloak-drift.js';
import { desiredAdminUser, desiredClaimsScope, desiredGatewayClient, desiredPublicClient } from './keycloak-representations.js';

const spec: IdentitySpec = {
  tenant: 'acme',
  mode: 'realm',
  realm: tenantRealmName('acme'),
  gatewayClient: { clientId: 'gateway', secret: 'secret-1' },
  usersClient: { clientId: 'users', secret: 'secret-2' },
  publicClients: [{ clientId: 'web', redirectUris: ['https://acme.example/cb'] }],
  admin: { email: 'Admin@Acme.Example', password: 'pw' },
};
const web = desiredPublicClient(spec.publicClients[0]!);

describe('clientUpdate', () => {
  it('is undefined for a client as Keycloak returns it after creation (extra attributes and scopes kept)', () => {
    const current = { ...web, id: 'id-1', attributes: { ...web.attributes, realm_client: 'false' }, defaultClientScopes: [...web.defaultClientScopes!, 'extra'] };
    expect(clientUpdate(current, web, 'realm')).toBeUndefined();
  });

  it('puts back the managed flags and PKCE, keeping Keycloak-side fields and leaving scopes and mappers out', () => {
    const current = { ...web, id: 'id-1', directAccessGrantsEnabled: true, attributes: { realm_client: 'false' }, protocolMappers: [{ name: 'x' }] };
    const update = clientUpdate(current, web, 'realm');
    expect(update).toMatchObject({ id: 'id-1', directAccessGrantsEnabled: false, attributes: { realm_client: 'false', 'pkce.code.challenge.method': 'S256' } });
    expect(update).not.toHaveProperty('protocolMappers');
    expect(update).not.toHaveProperty('defaultClientScopes');
  });

  it('rotates the gateway secret', () => {
    const gateway = desiredGatewayClient(spec);
    expect(clientUpdate({ ...gateway, secret: 'old' }, gateway, 'realm')).toMatchObject({ secret: 'secret-1' });
  });

  it('sets the redirect URIs to exactly the spec in realm mode, and only adds the tenant ones in organization mode', () => {
    const current = { ...web, redirectUris: ['https://other.example/cb'] };
    expect(clientUpdate(current, web, 'realm')?.redirectUris).toEqual(['https://acme.example/cb']);
    expect(clientUpdate(current, web, 'organization')?.redirectUris).toEqual(['https://other.example/cb', 'https://acme.example/cb']);
    expect(clientUpdate({ ...web, redirectUris: ['https://other.example/cb', 'https://acme.example/cb'] }, web, 'organization')).toBeUndefined();
  });
});

describe('missingDefaultScopes', () => {
  it('names the desired default scopes a client lacks', () => {
    expect(missingDefaultScopes({ defaultClientScopes: ['basic', 'profile'] }, web)).toEqual(['acr', 'web-origins', 'email', 'roles', 'tenant']);
  });
});

describe('mapperChanges', () => {
  const desired = desiredClaimsScope(spec).protocolMappers!;

  it('adds missing mappers, merges changed config and replaces a mapper of another kind', () => {
    const [tenant, roles] = desired;
    const current = [
      { ...tenant!, id: 't', config: { ...tenant!.config, 'claim.value': 'other' } },
      { ...roles!, id: 'r', protocolMapper: 'oidc-hardcoded-claim-mapper' },
    ];
    const changes = mapperChanges(current, desired);
    expect(changes.add.map(({ name }) => name)).toEqual(['gateway-audience']);
    expect(changes.update).toEqual([expect.objectContaining({ id: 't', config: expect.objectContaining({ 'claim.value': 'acme' }) })]);
    expect(changes.replace.map(({ current: stale }) => stale.id)).toEqual(['r']);
  });

  it('finds nothing to do when Keycloak added config keys of its own', () => {
    const current = desired.map((mapper, index) => ({ ...mapper, id: String(index), config: { ...mapper.config, 'lightweight.claim': 'false' } }));
    expect(mapperChanges(current, desired)).toEqual({ add: [], update: [], replace: [] });
  });
});

describe('realmUpdate and userUpdate', () => {
  it('re-enables a realm and turns organizations on in organization mode only', () => {
    expect(realmUpdate({ enabled: true, organizationsEnabled: false }, 'realm')).toBeUndefined();
    expect(realmUpdate({ enabled: false, organizationsEnabled: false }, 'organization')).toEqual({ enabled: true, organizationsEnabled: true });
  });

  it('re-enables the admin and fixes its email, keeping names an admin chose', () => {
    const desired = desiredAdminUser(spec);
    expect(desired.username).toBe('admin@acme.example');
    const current = { id: 'u', username: 'admin@acme.example', email: 'admin@acme.example', emailVerified: true, enabled: true, firstName: 'Ada', lastName: 'L' };
    expect(userUpdate(current, desired)).toBeUndefined();
    expect(userUpdate({ ...current, enabled: false, firstName: '' }, desired)).toEqual({ ...current, enabled: true, firstName: 'Admin' });
  });
});

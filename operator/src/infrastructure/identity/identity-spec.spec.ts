import { describe, expect, it } from '@jest/globals';
import { assertValidIdentitySpec, tenantRealmName, type IdentitySpec } from './identity-spec.js';

const valid: IdentitySpec = {
  tenant: 'acme',
  mode: 'realm',
  realm: tenantRealmName('acme'),
  gatewayClient: { clientId: 'gateway', secret: 's' },
  usersClient: { clientId: 'users', secret: 'u' },
  publicClients: [{ clientId: 'mobile', redirectUris: ['dev.np.mobile:/callback'] }],
  admin: { email: 'admin@acme.example', password: 'pw' },
};

describe('assertValidIdentitySpec', () => {
  it('accepts a realm-mode and an organization-mode spec', () => {
    expect(() => assertValidIdentitySpec(valid)).not.toThrow();
    expect(() => assertValidIdentitySpec({ ...valid, mode: 'organization', realm: 'np-tenants' })).not.toThrow();
  });

  it.each([
    ['a tenant that is no DNS label', { tenant: 'Acme/../x', realm: 'tenant-Acme/../x' }],
    ['a realm-mode realm not named after the tenant', { realm: 'tenant-other' }],
    ['a relative redirect URI', { publicClients: [{ clientId: 'web', redirectUris: ['/callback'] }] }],
    ['a public client named like the gateway', { publicClients: [{ clientId: 'gateway', redirectUris: [] }] }],
    ['a gateway without secret', { gatewayClient: { clientId: 'gateway', secret: '' } }],
    ['a users client without secret', { usersClient: { clientId: 'users', secret: '' } }],
    ['a users client named like the gateway', { usersClient: { clientId: 'gateway', secret: 'u' } }],
    ['a public client named like the users client', { publicClients: [{ clientId: 'users', redirectUris: [] }] }],
    ['an admin without password', { admin: { email: 'admin@acme.example', password: '' } }],
  ])('refuses %s', (_what, change) => {
    expect(() => assertValidIdentitySpec({ ...valid, ...change })).toThrow(TypeError);
  });
});

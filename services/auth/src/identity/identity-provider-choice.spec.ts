import { describe, expect, it } from '@jest/globals';
import { authSettingsSchema, type AuthSettingsInput } from '../settings.js';
import { EmbeddedIdentityProvider } from './embedded-identity-provider.js';
import { IDENTITY_PROVIDER } from './identity-provider.js';
import { identityProviders } from './identity-provider-choice.js';
import { KeycloakIdentityProvider } from '../keycloak/keycloak-identity-provider.js';
import { KeycloakRealmClient } from '../keycloak/keycloak-realm-client.js';

const KEY = Buffer.alloc(32, 7).toString('base64url');
const KEYCLOAK: AuthSettingsInput = {
  NP_SIGNING_KEY_ENCRYPTION_KEY: KEY,
  NP_IDENTITY_PROVIDER: 'keycloak',
  NP_KEYCLOAK_URL: 'http://127.0.0.1:17880/',
  NP_KEYCLOAK_REALM: 'tenant-acme',
  NP_KEYCLOAK_CLIENT_SECRET: 'gateway-secret',
};

function chosen(input: AuthSettingsInput): unknown {
  const providers = identityProviders(authSettingsSchema.parse(input));
  const bound = providers.find((provider) => typeof provider === 'object' && 'provide' in provider && provider.provide === IDENTITY_PROVIDER);
  return bound && 'useClass' in bound ? bound.useClass : undefined;
}

describe('identity provider choice', () => {
  it("is the embedded issuer by default, without Keycloak's client", () => {
    expect(chosen({ NP_SIGNING_KEY_ENCRYPTION_KEY: KEY })).toBe(EmbeddedIdentityProvider);
    expect(identityProviders(authSettingsSchema.parse({ NP_SIGNING_KEY_ENCRYPTION_KEY: KEY }))).not.toContain(KeycloakRealmClient);
  });

  it('is the Keycloak realm with NP_IDENTITY_PROVIDER=keycloak, with its realm client', () => {
    expect(chosen(KEYCLOAK)).toBe(KeycloakIdentityProvider);
    expect(identityProviders(authSettingsSchema.parse(KEYCLOAK))).toContain(KeycloakRealmClient);
    expect(authSettingsSchema.parse(KEYCLOAK)).toMatchObject({ NP_KEYCLOAK_URL: 'http://127.0.0.1:17880', NP_KEYCLOAK_CLIENT_ID: 'gateway' });
  });

  it("refuses the keycloak provider without Keycloak's URL, realm or the gateway client's secret, naming each", () => {
    const result = authSettingsSchema.safeParse({ NP_SIGNING_KEY_ENCRYPTION_KEY: KEY, NP_IDENTITY_PROVIDER: 'keycloak' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['NP_KEYCLOAK_CLIENT_SECRET', 'NP_KEYCLOAK_REALM', 'NP_KEYCLOAK_URL']);
  });

  it('refuses an identity provider it does not have', () => {
    expect(authSettingsSchema.safeParse({ NP_SIGNING_KEY_ENCRYPTION_KEY: KEY, NP_IDENTITY_PROVIDER: 'ldap' }).success).toBe(false);
  });
});

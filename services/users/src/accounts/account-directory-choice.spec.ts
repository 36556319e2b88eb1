import { describe, expect, it } from '@jest/globals';
import { RealmAdmin } from '../keycloak/realm-admin.js';
import { KeycloakAccounts } from '../keycloak/keycloak-accounts.js';
import { RealmUsersImport } from '../keycloak/realm-users-import.js';
import { usersSettingsSchema } from '../settings.js';
import { ACCOUNT_DIRECTORY } from './account-directory.js';
import { accountDirectoryProviders } from './account-directory-choice.js';
import { AuthAccounts } from './auth-accounts.js';

const KEYCLOAK = {
  NP_IDENTITY_PROVIDER: 'keycloak',
  NP_KEYCLOAK_URL: 'http://127.0.0.1:17880',
  NP_KEYCLOAK_REALM: 'tenant-acme',
  NP_KEYCLOAK_USERS_CLIENT_SECRET: 'users-secret',
};

function directoryOf(env: Record<string, string>): unknown {
  const bound = accountDirectoryProviders(usersSettingsSchema.parse(env)).find((provider) => typeof provider === 'object' && 'provide' in provider && provider.provide === ACCOUNT_DIRECTORY);
  return bound && 'useClass' in bound ? bound.useClass : undefined;
}

describe('account directory choice', () => {
  it('is the auth module by default, with nothing of Keycloak', () => {
    expect(directoryOf({})).toBe(AuthAccounts);
    expect(accountDirectoryProviders(usersSettingsSchema.parse({}))).not.toContain(RealmAdmin);
  });

  it("is the tenant's realm with NP_IDENTITY_PROVIDER=keycloak, with its admin client and the start-up import", () => {
    expect(directoryOf(KEYCLOAK)).toBe(KeycloakAccounts);
    expect(accountDirectoryProviders(usersSettingsSchema.parse(KEYCLOAK))).toEqual(expect.arrayContaining([RealmAdmin, RealmUsersImport]));
    expect(usersSettingsSchema.parse(KEYCLOAK).NP_KEYCLOAK_USERS_CLIENT_ID).toBe('users');
  });

  it("refuses the keycloak provider without Keycloak's URL, realm or the users client's secret, naming each", () => {
    const result = usersSettingsSchema.safeParse({ NP_IDENTITY_PROVIDER: 'keycloak' });
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['NP_KEYCLOAK_REALM', 'NP_KEYCLOAK_URL', 'NP_KEYCLOAK_USERS_CLIENT_SECRET']);
  });
});

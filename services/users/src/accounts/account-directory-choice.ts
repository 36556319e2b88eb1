import type { Provider } from '@nestjs/common';
import type { UsersSettings } from '../settings.js';
import { ACCOUNT_DIRECTORY } from './account-directory.js';
import { AuthAccounts } from './auth-accounts.js';
import { KeycloakAccounts } from '../keycloak/keycloak-accounts.js';
import { RealmAdmin } from '../keycloak/realm-admin.js';
import { RealmUsersImport } from '../keycloak/realm-users-import.js';

/** The Nest providers behind `ACCOUNT_DIRECTORY` for `NP_IDENTITY_PROVIDER`: the auth module unless Keycloak is asked for. */
export function accountDirectoryProviders(settings: Pick<UsersSettings, 'NP_IDENTITY_PROVIDER'>): Provider[] {
  switch (settings.NP_IDENTITY_PROVIDER) {
    case 'keycloak':
      return [RealmAdmin, RealmUsersImport, { provide: ACCOUNT_DIRECTORY, useClass: KeycloakAccounts }];
    case 'embedded':
      return [{ provide: ACCOUNT_DIRECTORY, useClass: AuthAccounts }];
  }
}

import type { Provider } from '@nestjs/common';
import type { AuthSettings } from '../settings.js';
import { EmbeddedIdentityProvider } from './embedded-identity-provider.js';
import { IDENTITY_PROVIDER } from './identity-provider.js';
import { KeycloakIdentityProvider } from '../keycloak/keycloak-identity-provider.js';
import { KeycloakRealmClient } from '../keycloak/keycloak-realm-client.js';

/** The Nest providers behind `IDENTITY_PROVIDER` for `NP_IDENTITY_PROVIDER`: the embedded issuer unless Keycloak is asked for. */
export function identityProviders(settings: Pick<AuthSettings, 'NP_IDENTITY_PROVIDER'>): Provider[] {
  switch (settings.NP_IDENTITY_PROVIDER) {
    case 'keycloak':
      return [KeycloakRealmClient, { provide: IDENTITY_PROVIDER, useClass: KeycloakIdentityProvider }];
    case 'embedded':
      return [{ provide: IDENTITY_PROVIDER, useClass: EmbeddedIdentityProvider }];
  }
}

// A tenant's Keycloak realm as the operator provisions it (its KeycloakIdentityProvisioner, on the
// Keycloak of tools/servers-up.sh), and the settings the operator's Secrets give the platform's
// processes for it: what the integration and e2e suites of the keycloak identity provider run on.
import { randomBytes } from 'node:crypto';
import type KeycloakAdminClient from '@keycloak/keycloak-admin-client';
import { type IdentitySpec, KeycloakIdentityProvisioner, tenantRealmName } from '../../operator/src/infrastructure/identity/index.js';
import { handAdmin, issuer, testKeycloakSettings } from '../../operator/test/infrastructure/support/keycloak.js';

/** Where the realm's `web` client may send the browser back to (nothing listens there: the tests catch the redirect). */
export const WEB_REDIRECT = 'http://127.0.0.1/np-web/callback';

export interface TenantRealm {
  tenant: string;
  spec: IdentitySpec;
  issuer: string;
  /** The tenant's first admin, as the operator creates it (realm role `admin`). */
  admin: { email: string; password: string };
  /**
   * The environment contract of the cluster shape for this realm: what every process, auth and
   * users are given (`<module>-connections` Secrets), minus the bus and the database.
   */
  env: Record<string, string>;
  /** An admin client of the test's own (master realm), to look at or change the realm by hand. */
  hand(): Promise<KeycloakAdminClient>;
  remove(): Promise<void>;
}

/** Provisions realm `tenant-<prefix>-<random>` with the operator's provisioner. */
export async function provisionTenantRealm(prefix: string): Promise<TenantRealm> {
  const settings = testKeycloakSettings();
  const tenant = `${prefix}-${randomBytes(3).toString('hex')}`;
  const secret = () => randomBytes(18).toString('base64url');
  const spec: IdentitySpec = {
    tenant,
    mode: 'realm',
    realm: tenantRealmName(tenant),
    gatewayClient: { clientId: 'gateway', secret: secret() },
    usersClient: { clientId: 'users', secret: secret() },
    publicClients: [{ clientId: 'web', redirectUris: [WEB_REDIRECT] }],
    admin: { email: `admin@${tenant}.example.test`, password: secret() },
  };
  const provisioner = new KeycloakIdentityProvisioner(settings);
  await provisioner.ensure(spec);
  const realmIssuer = issuer(settings, spec.realm);
  return {
    tenant,
    spec,
    issuer: realmIssuer,
    admin: spec.admin,
    env: {
      NP_TENANT: tenant,
      NP_ISSUER: realmIssuer,
      NP_JWKS_URL: `${realmIssuer}/protocol/openid-connect/certs`,
      NP_AUDIENCE: 'gateway',
      NP_IDENTITY_PROVIDER: 'keycloak',
      NP_KEYCLOAK_URL: settings.url,
      NP_KEYCLOAK_REALM: spec.realm,
      NP_KEYCLOAK_CLIENT_ID: spec.gatewayClient.clientId,
      NP_KEYCLOAK_CLIENT_SECRET: spec.gatewayClient.secret,
      NP_KEYCLOAK_USERS_CLIENT_ID: spec.usersClient.clientId,
      NP_KEYCLOAK_USERS_CLIENT_SECRET: spec.usersClient.secret,
    },
    hand: () => handAdmin(settings),
    remove: () => provisioner.remove(spec),
  };
}

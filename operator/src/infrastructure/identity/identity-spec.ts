/**
 * What a tenant gets in Keycloak. `realm` mode: a realm of its own (`tenant-<name>`) with its own
 * roles and clients. `organization` mode: an organization in one shared realm whose roles and
 * clients every tenant uses (see the operator README for the trade-off).
 */
export type IdentityMode = 'realm' | 'organization';

/** A browser or native app: authorization code with PKCE (S256), no password grant. */
export interface PublicClientSpec {
  clientId: string;
  redirectUris: string[];
}

export interface IdentitySpec {
  tenant: string;
  mode: IdentityMode;
  /** `tenant-<name>` in realm mode (see `tenantRealmName`); the shared realm's name in organization mode. */
  realm: string;
  /**
   * The platform gateway's confidential client. Its password grant backs `/v1/auth/login`. In
   * organization mode it belongs to the shared realm, so every tenant must hand in the same secret.
   */
  gatewayClient: { clientId: string; secret: string };
  /**
   * The users module's confidential client: client credentials only, its service account holding
   * realm-management's `manage-users`, `view-users` and `query-users` and no other role of that
   * client. In organization mode it belongs to the shared realm (same secret for every tenant).
   */
  usersClient: { clientId: string; secret: string };
  /** Usually `web` and `mobile`. In organization mode their redirect URIs are added to the shared clients. */
  publicClients: PublicClientSpec[];
  /** The tenant's first admin: email verified, realm role `admin`, the password set when the user is created. */
  admin: { email: string; password: string };
}

/** What the users client's service account may do in its realm: keep users in step, nothing more. */
export const USERS_CLIENT_ROLES = ['manage-users', 'view-users', 'query-users'] as const;

/** The realm roles every tenant's realm (or the shared realm) has; the gateway maps them to the platform's. */
export const TENANT_ROLES = ['admin', 'manager', 'member'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

/** Access-token claims the provisioned clients carry: the tenant's name and the user's realm roles. */
export const TENANT_CLAIM = 'tenant';
export const ROLES_CLAIM = 'roles';

export function tenantRealmName(tenant: string): string {
  return `tenant-${tenant}`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws on a spec the provisioner must not send to Keycloak (a bad tenant name, a relative redirect URI). */
export function assertValidIdentitySpec(spec: IdentitySpec): void {
  if (!DNS_LABEL.test(spec.tenant) || spec.tenant.length > 63) throw new TypeError(`tenant ${JSON.stringify(spec.tenant)} is not a DNS label`);
  if (!DNS_LABEL.test(spec.realm)) throw new TypeError(`realm ${JSON.stringify(spec.realm)} is not a DNS label`);
  if (spec.mode === 'realm' && spec.realm !== tenantRealmName(spec.tenant)) {
    throw new TypeError(`realm mode: the realm of tenant ${spec.tenant} is ${tenantRealmName(spec.tenant)}, not ${spec.realm}`);
  }
  if (!spec.gatewayClient.secret) throw new TypeError('the gateway client needs a secret');
  if (!spec.usersClient.secret) throw new TypeError('the users client needs a secret');
  if (spec.usersClient.clientId === spec.gatewayClient.clientId) throw new TypeError(`client ${spec.usersClient.clientId} is both the users' and the gateway's`);
  for (const client of spec.publicClients) {
    if (client.clientId === spec.gatewayClient.clientId || client.clientId === spec.usersClient.clientId) {
      throw new TypeError(`client ${client.clientId} is both public and confidential`);
    }
    for (const uri of client.redirectUris) {
      if (!URL.canParse(uri)) throw new TypeError(`redirect URI ${JSON.stringify(uri)} of client ${client.clientId} is not absolute`);
    }
  }
  if (!spec.admin.email.includes('@') || !spec.admin.password) throw new TypeError('the admin needs an email and a password');
}

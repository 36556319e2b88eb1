import type ClientRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientRepresentation.js';
import type ClientScopeRepresentation from '@keycloak/keycloak-admin-client/lib/defs/clientScopeRepresentation.js';
import type OrganizationRepresentation from '@keycloak/keycloak-admin-client/lib/defs/organizationRepresentation.js';
import type ProtocolMapperRepresentation from '@keycloak/keycloak-admin-client/lib/defs/protocolMapperRepresentation.js';
import type RealmRepresentation from '@keycloak/keycloak-admin-client/lib/defs/realmRepresentation.js';
import type UserRepresentation from '@keycloak/keycloak-admin-client/lib/defs/userRepresentation.js';
import { OWNER_MARKER } from '../provisioner.js';
import { ROLES_CLAIM, TENANT_CLAIM, TENANT_ROLES, type IdentitySpec, type PublicClientSpec } from './identity-spec.js';

/** What Keycloak should hold for a spec: pure functions, compared with what it holds by `keycloak-drift`. */

/** Realm and organization attribute naming the operator as creator (and, on realms of realm mode, the tenant). */
export const OWNER_ATTRIBUTE = 'np-owner';
export const TENANT_ATTRIBUTE = 'np-tenant';
/**
 * The client scope holding the platform's claims, a default scope of every provisioned client. In
 * organization mode it must be a scope (not mappers on the clients): Keycloak's organization
 * membership mapper resolves the user's organization only through a scope it sits in.
 */
export const CLAIMS_SCOPE = 'tenant';
/** Keycloak's own default scopes a client keeps, plus the claims scope. */
export const DEFAULT_CLIENT_SCOPES = ['basic', 'acr', 'web-origins', 'profile', 'email', 'roles', CLAIMS_SCOPE];

const OIDC = 'openid-connect';
const IN_TOKENS = {
  'access.token.claim': 'true',
  'id.token.claim': 'true',
  'userinfo.token.claim': 'true',
  'introspection.token.claim': 'true',
};

const ROLE_DESCRIPTIONS: Record<(typeof TENANT_ROLES)[number], string> = {
  admin: 'Tenant administrator',
  manager: 'Tenant manager',
  member: 'Tenant member',
};

/** A new realm: roles in the same request; clients and the claims scope follow (see the provisioner). */
export function desiredRealm(spec: IdentitySpec): RealmRepresentation {
  return {
    realm: spec.realm,
    enabled: true,
    displayName: spec.mode === 'realm' ? spec.tenant : spec.realm,
    bruteForceProtected: true,
    organizationsEnabled: spec.mode === 'organization',
    attributes: realmAttributes(spec),
    roles: { realm: TENANT_ROLES.map((name) => ({ name, description: ROLE_DESCRIPTIONS[name] })) },
  };
}

export function realmAttributes(spec: IdentitySpec): Record<string, string> {
  return spec.mode === 'realm' ? { [OWNER_ATTRIBUTE]: OWNER_MARKER, [TENANT_ATTRIBUTE]: spec.tenant } : { [OWNER_ATTRIBUTE]: OWNER_MARKER };
}

export function roleDescription(name: (typeof TENANT_ROLES)[number]): string {
  return ROLE_DESCRIPTIONS[name];
}

/** The claims scope: `tenant`, `roles` (realm roles) and the gateway as audience. */
export function desiredClaimsScope(spec: IdentitySpec): ClientScopeRepresentation {
  return {
    name: CLAIMS_SCOPE,
    description: 'Platform claims: tenant, realm roles, gateway audience',
    protocol: OIDC,
    attributes: { 'include.in.token.scope': 'false', 'display.on.consent.screen': 'false' },
    protocolMappers: desiredMappers(spec),
  };
}

export function desiredMappers(spec: IdentitySpec): ProtocolMapperRepresentation[] {
  const tenant: ProtocolMapperRepresentation =
    spec.mode === 'realm'
      ? {
          name: TENANT_CLAIM,
          protocol: OIDC,
          protocolMapper: 'oidc-hardcoded-claim-mapper',
          config: { 'claim.name': TENANT_CLAIM, 'claim.value': spec.tenant, 'jsonType.label': 'String', ...IN_TOKENS },
        }
      : {
          // Single-valued: the alias of the user's organization as a string, like realm mode's claim.
          name: TENANT_CLAIM,
          protocol: OIDC,
          protocolMapper: 'oidc-organization-membership-mapper',
          config: { 'claim.name': TENANT_CLAIM, multivalued: 'false', 'jsonType.label': 'String', ...IN_TOKENS },
        };
  return [
    tenant,
    {
      name: ROLES_CLAIM,
      protocol: OIDC,
      protocolMapper: 'oidc-usermodel-realm-role-mapper',
      config: { 'claim.name': ROLES_CLAIM, multivalued: 'true', 'jsonType.label': 'String', ...IN_TOKENS },
    },
    {
      name: 'gateway-audience',
      protocol: OIDC,
      protocolMapper: 'oidc-audience-mapper',
      config: {
        'included.client.audience': spec.gatewayClient.clientId,
        'access.token.claim': 'true',
        'id.token.claim': 'false',
        'introspection.token.claim': 'true',
      },
    },
  ];
}

/** The gateway's confidential client: password grant only (for `/v1/auth/login`), no service account. */
export function desiredGatewayClient(spec: IdentitySpec): ClientRepresentation {
  return {
    clientId: spec.gatewayClient.clientId,
    name: 'Platform gateway',
    enabled: true,
    protocol: OIDC,
    publicClient: false,
    clientAuthenticatorType: 'client-secret',
    secret: spec.gatewayClient.secret,
    standardFlowEnabled: false,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: true,
    serviceAccountsEnabled: false,
    redirectUris: [],
    webOrigins: [],
    defaultClientScopes: DEFAULT_CLIENT_SCOPES,
    optionalClientScopes: ['offline_access'],
  };
}

/**
 * The users module's confidential client: client credentials only (a service account), no user
 * logins. Its default scopes are Keycloak's `basic` and `roles`: the platform's claims scope is for
 * users' tokens, not this one.
 */
export function desiredUsersClient(spec: IdentitySpec): ClientRepresentation {
  return {
    clientId: spec.usersClient.clientId,
    name: 'Platform users module',
    enabled: true,
    protocol: OIDC,
    publicClient: false,
    clientAuthenticatorType: 'client-secret',
    secret: spec.usersClient.secret,
    standardFlowEnabled: false,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: true,
    redirectUris: [],
    webOrigins: [],
    defaultClientScopes: ['basic', 'roles'],
    optionalClientScopes: [],
  };
}

/** A public app: authorization code with PKCE S256 required, no password grant, CORS for its redirect origins. */
export function desiredPublicClient(client: PublicClientSpec): ClientRepresentation {
  return {
    clientId: client.clientId,
    enabled: true,
    protocol: OIDC,
    publicClient: true,
    standardFlowEnabled: true,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    serviceAccountsEnabled: false,
    redirectUris: client.redirectUris,
    webOrigins: ['+'],
    attributes: { 'pkce.code.challenge.method': 'S256', 'post.logout.redirect.uris': '+' },
    defaultClientScopes: DEFAULT_CLIENT_SCOPES,
    optionalClientScopes: ['offline_access'],
  };
}

export function desiredClients(spec: IdentitySpec): ClientRepresentation[] {
  return [desiredGatewayClient(spec), desiredUsersClient(spec), ...spec.publicClients.map(desiredPublicClient)];
}

export function desiredOrganization(spec: IdentitySpec): OrganizationRepresentation {
  return {
    name: spec.tenant,
    alias: spec.tenant,
    enabled: true,
    description: `Tenant ${spec.tenant}`,
    attributes: { [OWNER_ATTRIBUTE]: [OWNER_MARKER], [TENANT_ATTRIBUTE]: [spec.tenant] },
  };
}

/**
 * The first admin. First and last name are set because Keycloak's user profile asks users for them
 * at login otherwise, which a password grant cannot answer.
 */
export function desiredAdminUser(spec: IdentitySpec): UserRepresentation {
  const email = spec.admin.email.toLowerCase();
  return {
    username: email,
    email,
    emailVerified: true,
    enabled: true,
    firstName: 'Admin',
    lastName: spec.tenant,
    credentials: [{ type: 'password', value: spec.admin.password, temporary: false }],
  };
}

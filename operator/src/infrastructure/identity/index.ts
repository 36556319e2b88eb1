export { KeycloakIdentityProvisioner } from './keycloak-identity-provisioner.js';
export type { KeycloakAdminSettings } from './keycloak-admin.js';
export {
  assertValidIdentitySpec,
  tenantRealmName,
  ROLES_CLAIM,
  TENANT_CLAIM,
  TENANT_ROLES,
  USERS_CLIENT_ROLES,
  type IdentityMode,
  type IdentitySpec,
  type PublicClientSpec,
  type TenantRole,
} from './identity-spec.js';
export { CLAIMS_SCOPE, OWNER_ATTRIBUTE, TENANT_ATTRIBUTE } from './keycloak-representations.js';

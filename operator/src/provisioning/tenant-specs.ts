import { MODULE_MANIFEST, moduleEntry, type ModuleName } from '@np/modules';
import { tenantDatabase, type DatabaseSpec } from '../infrastructure/database/index.js';
import { tenantRealmName, type IdentitySpec } from '../infrastructure/identity/index.js';
import { tenantVhost, type MessagingSpec } from '../infrastructure/messaging/index.js';
import { objectStoreSpec, type ObjectStoreSpec } from '../infrastructure/object-store/index.js';
import type { TenantPlan } from '../tenant/tenant-plan.js';
import type { InfrastructureServers } from './infrastructure-settings.js';
import { credential, credentialKey, type Credentials } from './tenant-credentials.js';

/**
 * What each provisioner is asked for a tenant, as pure functions of the plan, the stored
 * credentials and the operator's settings. Names on the servers derive from the tenant's name (a
 * DNS label), so two tenants never share one, and every module has its own login.
 */

/** The gateway's and users module's clients, as the module Secrets name them (NP_KEYCLOAK_CLIENT_ID...). */
export const GATEWAY_CLIENT_ID = 'gateway';
export const USERS_CLIENT_ID = 'users';
/** The mobile app's redirect, a private-use scheme (RFC 8252) the platform's apps register. */
export const MOBILE_REDIRECT_URI = 'dev.np.mobile:/oauth/callback';

export function messagingUsername(tenant: string, module: string): string {
  return `${tenantVhost(tenant)}.${module}`;
}

export function databaseRole(tenant: string, schema: string): string {
  return `${tenantDatabase(tenant)}_${schema}`;
}

function schemaOf(module: ModuleName): string | null {
  return moduleEntry(module).schema;
}

/** The modules whose accounts a reconcile keeps: every module the Tenant lists (enabled or not, data kept). */
function planModules(plan: TenantPlan): ModuleName[] {
  return plan.modules.map((module) => module.name);
}

export function messagingSpec(tenant: string, modules: readonly ModuleName[], credentials: Credentials): MessagingSpec {
  return {
    tenant,
    vhost: tenantVhost(tenant),
    // Every process is on the bus: the gateway sends, the modules answer.
    modules: modules.map((module) => ({
      module,
      account: { username: messagingUsername(tenant, module), password: credential(credentials, credentialKey.amqp(module)) },
    })),
    monitor: { username: messagingUsername(tenant, 'monitor'), password: credential(credentials, credentialKey.amqpMonitor) },
  };
}

export function databaseSpec(tenant: string, modules: readonly ModuleName[], credentials: Credentials): DatabaseSpec {
  return {
    tenant,
    database: tenantDatabase(tenant),
    owner: { username: tenantDatabase(tenant), password: credential(credentials, credentialKey.databaseOwner) },
    modules: modules.flatMap((module) => {
      const schema = schemaOf(module);
      if (schema === null) return [];
      return [{ module, schema, account: { username: databaseRole(tenant, schema), password: credential(credentials, credentialKey.database(module)) } }];
    }),
  };
}

export function tenantObjectStoreSpec(tenant: string, credentials: Credentials): ObjectStoreSpec {
  return objectStoreSpec(tenant, { username: credential(credentials, credentialKey.s3AccessKey), password: credential(credentials, credentialKey.s3SecretKey) });
}

/** Organization mode needs the shared realm's client secrets from the operator's settings. */
export class IdentityNotConfigured extends Error {
  override readonly name = 'IdentityNotConfigured';
}

export function identitySpec(plan: TenantPlan, credentials: Credentials, identity: NonNullable<InfrastructureServers['identity']>): IdentitySpec {
  const organization = plan.identityMode === 'organization';
  let gatewaySecret = credential(credentials, credentialKey.gatewayClientSecret);
  let usersSecret = credential(credentials, credentialKey.usersClientSecret);
  if (organization) {
    const shared = identity.organization;
    if (!shared.gatewaySecret || !shared.usersSecret) {
      throw new IdentityNotConfigured(
        `organization mode needs NP_OPERATOR_ORGANIZATION_GATEWAY_SECRET and NP_OPERATOR_ORGANIZATION_USERS_SECRET in the operator's settings: the clients of realm ${shared.realm} are shared by its tenants`,
      );
    }
    gatewaySecret = shared.gatewaySecret;
    usersSecret = shared.usersSecret;
  }
  return {
    tenant: plan.name,
    mode: plan.identityMode,
    realm: organization ? identity.organization.realm : tenantRealmName(plan.name),
    gatewayClient: { clientId: GATEWAY_CLIENT_ID, secret: gatewaySecret },
    usersClient: { clientId: USERS_CLIENT_ID, secret: usersSecret },
    publicClients: [
      { clientId: 'web', redirectUris: plan.ingress ? [`https://${plan.ingress.host}/*`] : [] },
      { clientId: 'mobile', redirectUris: [MOBILE_REDIRECT_URI] },
    ],
    admin: { email: plan.adminEmail, password: credential(credentials, credentialKey.initialAdminPassword) },
  };
}

/** Specs for the Tenant's live reconcile: the accounts of the modules it lists. */
export function liveSpecs(plan: TenantPlan, credentials: Credentials) {
  const modules = planModules(plan);
  return {
    messaging: messagingSpec(plan.name, modules, credentials),
    database: databaseSpec(plan.name, modules, credentials),
    objectStore: tenantObjectStoreSpec(plan.name, credentials),
  };
}

/**
 * Specs for removal: the accounts of every module of the manifest, so an account left by a module
 * the Tenant dropped earlier goes too (an absent one costs a read).
 */
export function removalSpecs(plan: TenantPlan, credentials: Credentials) {
  const modules = MODULE_MANIFEST.map((entry) => entry.name);
  return {
    messaging: messagingSpec(plan.name, modules, credentials),
    database: databaseSpec(plan.name, modules, credentials),
    objectStore: tenantObjectStoreSpec(plan.name, credentials),
  };
}

import type { KubernetesObject } from '@kubernetes/client-node';
import { amqpUrlFor } from '@np/messaging';
import { moduleEntry, type ModuleName } from '@np/modules';
import { tenantDatabase } from '../infrastructure/database/index.js';
import type { IdentitySpec } from '../infrastructure/identity/index.js';
import { tenantVhost } from '../infrastructure/messaging/index.js';
import type { InfrastructureKind } from '../infrastructure/provisioner.js';
import { moduleLabels, tenantLabels } from '../tenant/labels.js';
import { QUEUE_MONITOR_NAME } from '../tenant/render/module-scaling.js';
import { parseQuantity } from '../tenant/render/quantities.js';
import { connectionsSecretName, INITIAL_ADMIN_SECRET_NAME } from '../tenant/secret-names.js';
import type { TenantPlan } from '../tenant/tenant-plan.js';
import type { InfrastructureServers } from './infrastructure-settings.js';
import { credential, credentialKey, renderSecret, type Credentials } from './tenant-credentials.js';
import { databaseRole, messagingUsername, tenantObjectStoreSpec } from './tenant-specs.js';

/**
 * The environment contract between the operator and the modules in the cluster shape: per module
 * one Secret `<module>-connections`, mounted by its Deployment with `envFrom`, holding exactly that
 * module's credentials under the settings' names. A module gets its Secret only once every kind
 * of server it needs has been provisioned.
 */

/** Every process checks tokens for the gateway's audience. */
const AUDIENCE = 'gateway';
/** The modules that hold the bucket's keys; no other module's Secret carries them. */
const OBJECT_STORE_MODULES: ReadonlySet<ModuleName> = new Set<ModuleName>(['files']);
/** The modules that read the tenant's queue depths (backoffice's module status), as its monitoring user. */
const QUEUE_MONITOR_MODULES: ReadonlySet<ModuleName> = new Set<ModuleName>(['backoffice']);

/** The kinds of server a module cannot start without: the bus and the issuer always, its schema and the bucket when it has them. */
export function kindsNeeded(module: ModuleName): InfrastructureKind[] {
  const kinds: InfrastructureKind[] = ['messaging', 'identity'];
  if (moduleEntry(module).schema !== null) kinds.push('database');
  if (OBJECT_STORE_MODULES.has(module)) kinds.push('objectStore');
  return kinds;
}

export interface ConnectionContext {
  plan: TenantPlan;
  credentials: Credentials;
  servers: InfrastructureServers;
  identity: IdentitySpec;
}

/** A server the module needs; its Secret is only rendered once that kind was provisioned, so it is configured. */
function configured<T>(server: T | undefined, kind: InfrastructureKind): T {
  if (server === undefined) throw new Error(`${kind} is not configured`);
  return server;
}

/** A server's address with a login of the tenant's in it, encoded. */
function withLogin(base: string, username: string, password: string): URL {
  const url = new URL(base);
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  return url;
}

function databaseUrlFor(base: string, database: string, role: string, password: string): string {
  const url = withLogin(base, role, password);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/**
 * The management API as the tenant's monitoring user: it may enter the tenant's vhost and do
 * nothing in it, so it reads that vhost's queues and no other tenant's.
 */
export function monitorManagementUrl(plan: TenantPlan, credentials: Credentials, servers: InfrastructureServers): string {
  const base = configured(servers.messaging, 'messaging').modulesManagementUrl;
  return withoutTrailingSlash(withLogin(base, messagingUsername(plan.name, 'monitor'), credential(credentials, credentialKey.amqpMonitor)).toString());
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The environment of one module, by the names its settings read. */
export function connectionValues(module: ModuleName, context: ConnectionContext): Map<string, string> {
  const { plan, credentials, servers, identity } = context;
  const keycloak = withoutTrailingSlash(configured(servers.identity, 'identity').modulesUrl);
  const issuer = `${keycloak}/realms/${encodeURIComponent(identity.realm)}`;
  const values = new Map<string, string>([
    ['NP_TENANT', plan.name],
    ['NP_AMQP_URL', amqpUrlFor(configured(servers.messaging, 'messaging').modulesAmqpUrl, tenantVhost(plan.name), messagingUsername(plan.name, module), credential(credentials, credentialKey.amqp(module)))],
    ['NP_ISSUER', issuer],
    ['NP_JWKS_URL', `${issuer}/protocol/openid-connect/certs`],
    ['NP_AUDIENCE', AUDIENCE],
    ['NP_IDENTITY_PROVIDER', 'keycloak'],
  ]);
  const schema = moduleEntry(module).schema;
  if (schema !== null) {
    const role = databaseRole(plan.name, schema);
    values.set('NP_DATABASE_URL', databaseUrlFor(configured(servers.database, 'database').modulesUrl, tenantDatabase(plan.name), role, credential(credentials, credentialKey.database(module))));
  }
  if (module === 'auth') {
    values.set('NP_SIGNING_KEY_ENCRYPTION_KEY', credential(credentials, credentialKey.signingKeyEncryptionKey));
    values.set('NP_KEYCLOAK_URL', keycloak);
    values.set('NP_KEYCLOAK_REALM', identity.realm);
    values.set('NP_KEYCLOAK_CLIENT_ID', identity.gatewayClient.clientId);
    values.set('NP_KEYCLOAK_CLIENT_SECRET', identity.gatewayClient.secret);
  }
  if (module === 'users') {
    values.set('NP_KEYCLOAK_URL', keycloak);
    values.set('NP_KEYCLOAK_REALM', identity.realm);
    values.set('NP_KEYCLOAK_USERS_CLIENT_ID', identity.usersClient.clientId);
    values.set('NP_KEYCLOAK_USERS_CLIENT_SECRET', identity.usersClient.secret);
  }
  if (QUEUE_MONITOR_MODULES.has(module)) values.set('NP_AMQP_MANAGEMENT_URL', monitorManagementUrl(plan, credentials, servers));
  if (OBJECT_STORE_MODULES.has(module)) {
    const store = tenantObjectStoreSpec(plan.name, credentials);
    const objectStore = configured(servers.objectStore, 'objectStore');
    values.set('NP_S3_URL', withoutTrailingSlash(objectStore.modulesUrl));
    values.set('NP_S3_REGION', objectStore.server.region);
    values.set('NP_S3_BUCKET', store.bucket);
    values.set('NP_S3_ACCESS_KEY', store.account.username);
    values.set('NP_S3_SECRET_KEY', store.account.password);
    const { quota, maxFileSize } = plan.tenant.spec.storage ?? {};
    if (quota !== undefined) values.set('NP_FILES_QUOTA_BYTES', String(Math.floor(parseQuantity(quota))));
    if (maxFileSize !== undefined) values.set('NP_FILES_MAX_BYTES', String(Math.floor(parseQuantity(maxFileSize))));
  }
  return values;
}

export function renderConnectionsSecret(module: ModuleName, context: ConnectionContext): KubernetesObject {
  return renderSecret(context.plan, connectionsSecretName(module), connectionValues(module, context), moduleLabels(context.plan, module));
}

/** The management API's address with the monitoring user's login, as KEDA's RabbitMQ scaler reads it (`host`). */
export function renderQueueMonitorSecret(plan: TenantPlan, credentials: Credentials, servers: InfrastructureServers): KubernetesObject {
  return renderSecret(plan, QUEUE_MONITOR_NAME, new Map([['host', monitorManagementUrl(plan, credentials, servers)]]), tenantLabels(plan));
}

/** The first admin's login, created in the tenant's identity provider with role admin. */
export function renderInitialAdminSecret(plan: TenantPlan, credentials: Credentials): KubernetesObject {
  const values = new Map([
    ['email', plan.adminEmail],
    ['password', credential(credentials, credentialKey.initialAdminPassword)],
  ]);
  return renderSecret(plan, INITIAL_ADMIN_SECRET_NAME, values, tenantLabels(plan));
}

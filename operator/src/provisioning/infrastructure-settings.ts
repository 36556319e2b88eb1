import type { KeycloakAdminSettings } from '../infrastructure/identity/index.js';
import type { ObjectStoreServer } from '../infrastructure/object-store/index.js';
import type { OperatorSettings } from '../settings.js';

/**
 * The servers tenants get a share of, each with the administrator's address and credentials and
 * the address modules reach it at from inside the cluster (the same unless overridden). A kind left
 * out is not configured.
 */
export interface InfrastructureServers {
  /** `modulesManagementUrl` carries no credentials: each reader signs in as the tenant's monitoring user. */
  messaging?: { managementUrl: string; modulesAmqpUrl: string; modulesManagementUrl: string };
  database?: { adminUrl: string; modulesUrl: string };
  objectStore?: { server: ObjectStoreServer; modulesUrl: string };
  identity?: {
    admin: KeycloakAdminSettings;
    modulesUrl: string;
    /** Organization mode's shared realm; its clients' secrets must be the same for every tenant in it. */
    organization: { realm: string; gatewaySecret?: string; usersSecret?: string };
  };
}

export interface InfrastructureSettings {
  servers: InfrastructureServers;
  /** A converged Tenant is checked against the servers again after this long. */
  resyncMs: number;
}

export function infrastructureSettingsFrom(settings: OperatorSettings): InfrastructureSettings {
  const servers: InfrastructureServers = {};
  if (settings.NP_AMQP_MANAGEMENT_URL && settings.NP_AMQP_URL) {
    servers.messaging = {
      managementUrl: settings.NP_AMQP_MANAGEMENT_URL,
      modulesAmqpUrl: settings.NP_OPERATOR_MODULES_AMQP_URL ?? settings.NP_AMQP_URL,
      modulesManagementUrl: withoutCredentials(settings.NP_OPERATOR_MODULES_AMQP_MANAGEMENT_URL ?? settings.NP_AMQP_MANAGEMENT_URL),
    };
  }
  if (settings.NP_DATABASE_URL) {
    servers.database = { adminUrl: settings.NP_DATABASE_URL, modulesUrl: settings.NP_OPERATOR_MODULES_DATABASE_URL ?? settings.NP_DATABASE_URL };
  }
  if (settings.NP_S3_URL && settings.NP_S3_ACCESS_KEY && settings.NP_S3_SECRET_KEY) {
    servers.objectStore = {
      server: { url: settings.NP_S3_URL, accessKey: settings.NP_S3_ACCESS_KEY, secretKey: settings.NP_S3_SECRET_KEY, region: settings.NP_S3_REGION },
      modulesUrl: settings.NP_OPERATOR_MODULES_S3_URL ?? settings.NP_S3_URL,
    };
  }
  if (settings.NP_KEYCLOAK_URL && settings.NP_KEYCLOAK_ADMIN && settings.NP_KEYCLOAK_ADMIN_PASSWORD) {
    servers.identity = {
      admin: {
        url: settings.NP_KEYCLOAK_URL,
        username: settings.NP_KEYCLOAK_ADMIN,
        password: settings.NP_KEYCLOAK_ADMIN_PASSWORD,
        realm: settings.NP_KEYCLOAK_ADMIN_REALM,
      },
      modulesUrl: settings.NP_OPERATOR_MODULES_KEYCLOAK_URL ?? settings.NP_KEYCLOAK_URL,
      organization: {
        realm: settings.NP_OPERATOR_ORGANIZATION_REALM,
        gatewaySecret: settings.NP_OPERATOR_ORGANIZATION_GATEWAY_SECRET,
        usersSecret: settings.NP_OPERATOR_ORGANIZATION_USERS_SECRET,
      },
    };
  }
  return { servers, resyncMs: settings.NP_OPERATOR_INFRASTRUCTURE_RESYNC_MS };
}

/** The administrator's login in a server's URL must never reach a tenant's Secret. */
function withoutCredentials(address: string): string {
  const url = new URL(address);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/+$/, '');
}

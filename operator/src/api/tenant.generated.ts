// Generated from crds/platform.np.dev_tenants.yaml by `npm run generate:crd-types`. Do not edit.
// API: platform.np.dev/v1alpha1, kind Tenant.

import type { OptionalModuleName } from '@np/modules';

export interface TenantResource {
  spec: TenantSpec;
  status?: TenantStatus;
}
/**
 * What the tenant should have. gateway and auth are always deployed.
 */
export interface TenantSpec {
  /**
   * Email of the tenant's first admin. The operator creates this user in the tenant's identity provider with role admin and a generated password, kept in the Secret initial-admin (keys email and password) of the tenant's namespace. Fixed once set: further admins are managed through the users module.
   */
  adminEmail: string;
  /**
   * Where the tenant's users and tokens live in Keycloak.
   */
  identity?: {
    /**
     * realm (the default): a realm of its own, tenant-<name>, with its own keys, roles and clients; organization: an organization in one realm shared by every such tenant, for thousands of tenants (see the operator README for the trade-off). Fixed once set.
     */
    mode?: 'realm' | 'organization';
  };
  /**
   * Human-readable name of the customer.
   */
  displayName?: string;
  /**
   * Image tag of the platform's services; the operator's default when empty.
   */
  version?: string;
  /**
   * What happens to the tenant's data held outside the cluster (RabbitMQ vhost and users, PostgreSQL database and roles, bucket and its keys, Keycloak realm or organization and its users) when the Tenant is deleted: Retain keeps it (an Event names what was kept), Delete removes it before the Tenant goes. The tenant's namespace and everything in it always go with the Tenant.
   */
  deletionPolicy?: 'Retain' | 'Delete';
  ingress?: TenantIngress;
  /**
   * The tenant's file storage (the files module).
   */
  storage?: {
    /**
     * Bytes the tenant's files may take in all, as a quantity such as 10Gi; uploads past it answer 413 quota_exceeded. Unlimited when omitted.
     */
    quota?: number | string;
    /**
     * The largest file one upload may store, as a quantity such as 100Mi; larger ones answer 413 payload_too_large. The files module's default (100Mi) when omitted.
     */
    maxFileSize?: number | string;
  };
  /**
   * Requests the tenant's gateway accepts per minute before it answers 429 rate_limited; the gateway's defaults (1200 per client address, 600 per user) when omitted.
   */
  rateLimits?: {
    /**
     * Requests per minute from one client address (the ingress passes the client's address on).
     */
    perAddressPerMinute?: number;
    /**
     * Requests per minute of one signed-in user.
     */
    perUserPerMinute?: number;
  };
  /**
   * Optional modules the tenant bought, each listed once.
   */
  modules?: TenantModule[];
}
/**
 * Public entry to the tenant's gateway.
 */
export interface TenantIngress {
  /**
   * DNS name of the tenant's API. Fixed once set, because tokens and OIDC clients are bound to it.
   */
  host: string;
  /**
   * Secret in the tenant's namespace holding the TLS certificate for the host.
   */
  tlsSecretName?: string;
  /**
   * Web origins whose pages may call the API from a browser (CORS), such as https://app.acme.example.com; none when omitted. Credentials are never allowed cross-origin; tokens travel in the Authorization header.
   *
   * @maxItems 20
   */
  corsOrigins?: string[];
}
export interface TenantModule {
  /**
   * The module.
   */
  name: OptionalModuleName;
  /**
   * false deactivates the module (scaled to zero, data kept).
   */
  enabled?: boolean;
  replicas?: ModuleReplicas;
  autoscaling?: ModuleAutoscaling;
  resources?: ModuleResources;
}
/**
 * Bounds for the autoscaler.
 */
export interface ModuleReplicas {
  /**
   * 0 only with autoscaling.idleScaleToZeroAfter (the module sleeps when idle and wakes on its first request).
   */
  min?: number;
  max?: number;
}
/**
 * When to add replicas: on CPU use (an HPA), or with queueDepthPerReplica on the depth of the module's request and event queues instead (a KEDA ScaledObject, which then owns the HPA; cpuUtilization does not apply), down to zero with idleScaleToZeroAfter.
 */
export interface ModuleAutoscaling {
  /**
   * Target average CPU use, in percent of the request.
   */
  cpuUtilization?: number;
  /**
   * Messages waiting in the module's queues per replica before another replica is added (scaling through KEDA).
   */
  queueDepthPerReplica?: number;
  /**
   * How long the module's queues must stay empty before it scales to zero, as a duration such as 30s, 15m or 1h (10s to 24h). A request to a module at zero waits in its queue while the module wakes; nothing is lost.
   */
  idleScaleToZeroAfter?: string;
}
/**
 * Compute resources of each replica; the module's defaults when omitted.
 */
export interface ModuleResources {
  requests?: ResourceQuantities;
  limits?: ResourceQuantities;
}
/**
 * Quantities by resource (cpu, memory), such as cpu 250m, memory 256Mi.
 */
export interface ResourceQuantities {
  cpu?: number | string;
  memory?: number | string;
}
/**
 * What the operator observed, written by the operator only.
 */
export interface TenantStatus {
  observedGeneration?: number;
  /**
   * Pending, Provisioning, Ready, Degraded or Deleting.
   */
  phase?: string;
  /**
   * Enabled modules, comma-separated (for kubectl get).
   */
  enabledModules?: string;
  /**
   * Ready out of enabled modules, as "ready/enabled" (for kubectl get).
   */
  readyModules?: string;
  namespace?: string;
  conditions?: TenantCondition[];
  modules?: ModuleStatus[];
}
export interface TenantCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}
export interface ModuleStatus {
  name: string;
  enabled: boolean;
  desired: number;
  ready: number;
  /**
   * Enabled, and scaled to zero for lack of traffic; its next request wakes it (unlike enabled false, which answers module_not_enabled).
   */
  asleep?: boolean;
}

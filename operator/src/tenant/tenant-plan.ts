import { ALWAYS_ON_MODULES, type ModuleName, type ResourceQuantities, type Tenant } from '../api/tenant.js';
import { tenantVhost } from '../infrastructure/messaging/index.js';
import type { RenderSettings } from '../settings.js';
import { MODULE_CATALOG, type ModuleDefaults } from './module-catalog.js';

export interface ModulePlan {
  name: ModuleName;
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  cpuUtilization: number;
  /**
   * Scaling on the depth of its queues (KEDA): messages per replica, and, for a module that may
   * sleep, how long its queues stay empty before it scales to zero.
   */
  queueScaling?: { depthPerReplica: number; idleSeconds?: number };
  requests: ResourceQuantities;
  limits: ResourceQuantities;
  ports: { http: number | null; ops: number };
  /** A module whose HTTP surface is a data listener (see ModuleDefaults). */
  data?: ModuleDefaults['data'];
  image: string;
}

/** A Tenant with every default filled in: what the render functions and the status work from. */
export interface TenantPlan {
  tenant: Tenant;
  name: string;
  namespace: string;
  displayName: string;
  modules: ModulePlan[];
  ingress?: { host: string; tlsSecretName?: string; corsOrigins?: string[] };
  /** The first admin's email, lower-cased (Keycloak keeps emails and usernames in lower case). */
  adminEmail: string;
  identityMode: 'realm' | 'organization';
  deletionPolicy: 'Retain' | 'Delete';
  /** The tenant's RabbitMQ vhost (`tenant-<name>`), where its modules' queues are. */
  vhost: string;
  /** Whether KEDA is there to scale on queues, and how often it polls. */
  scaling: Pick<RenderSettings, 'keda' | 'scalerPollingSeconds' | 'coldStartMs'>;
}

export function planTenant(tenant: Tenant, settings: RenderSettings): TenantPlan {
  const tag = tenant.spec.version ?? settings.defaultImageTag;
  const image = (module: ModuleName) => `${settings.imageRegistry}/${MODULE_CATALOG[module].image}:${tag}`;
  const alwaysOn = ALWAYS_ON_MODULES.map((name) => modulePlan(name, true, image(name)));
  const chosen = (tenant.spec.modules ?? []).map((module) =>
    modulePlan(module.name, module.enabled ?? true, image(module.name), module),
  );
  return {
    tenant,
    name: tenant.metadata.name,
    namespace: tenantNamespace(tenant.metadata.name, settings),
    displayName: tenant.spec.displayName ?? tenant.metadata.name,
    modules: [...alwaysOn, ...chosen],
    ingress: tenant.spec.ingress,
    adminEmail: adminEmailOf(tenant),
    identityMode: tenant.spec.identity?.mode ?? 'realm',
    deletionPolicy: tenant.spec.deletionPolicy ?? 'Retain',
    vhost: tenantVhost(tenant.metadata.name),
    scaling: { keda: settings.keda, scalerPollingSeconds: settings.scalerPollingSeconds, coldStartMs: settings.coldStartMs },
  };
}

/** Tenants created before `spec.adminEmail` was required may lack it; the identity condition then says so. */
function adminEmailOf(tenant: Tenant): string {
  const email: string | undefined = tenant.spec.adminEmail;
  return email?.toLowerCase() ?? '';
}

export function tenantNamespace(tenantName: string, settings: Pick<RenderSettings, 'namespacePrefix'>): string {
  return `${settings.namespacePrefix}${tenantName}`;
}

export function enabledModules(plan: TenantPlan): ModulePlan[] {
  return plan.modules.filter((module) => module.enabled);
}

function modulePlan(
  name: ModuleName,
  enabled: boolean,
  image: string,
  spec?: NonNullable<Tenant['spec']['modules']>[number],
): ModulePlan {
  const defaults = MODULE_CATALOG[name];
  return {
    name,
    enabled,
    // A module that may sleep has a minimum of zero whether or not replicas.min says so (CEL allows only 0 or absent then).
    minReplicas: spec?.autoscaling?.idleScaleToZeroAfter ? 0 : (spec?.replicas?.min ?? defaults.replicas.min),
    maxReplicas: spec?.replicas?.max ?? Math.max(defaults.replicas.max, spec?.replicas?.min ?? 0),
    cpuUtilization: spec?.autoscaling?.cpuUtilization ?? defaults.cpuUtilization,
    ...queueScalingOf(spec?.autoscaling),
    requests: { ...defaults.requests, ...spec?.resources?.requests },
    limits: { ...defaults.limits, ...spec?.resources?.limits },
    ports: defaults.ports,
    ...(defaults.data ? { data: defaults.data } : {}),
    image,
  };
}

function queueScalingOf(autoscaling: NonNullable<NonNullable<Tenant['spec']['modules']>[number]['autoscaling']> | undefined): Pick<ModulePlan, 'queueScaling'> {
  if (autoscaling?.queueDepthPerReplica === undefined) return {};
  const idle = autoscaling.idleScaleToZeroAfter;
  return { queueScaling: { depthPerReplica: autoscaling.queueDepthPerReplica, ...(idle ? { idleSeconds: durationSeconds(idle) } : {}) } };
}

/** A duration as the CRD accepts it (`1h30m`, `45s`; CEL checked the form and the bounds). */
export function durationSeconds(duration: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!match || duration === '') throw new Error(`not a duration: ${duration}`);
  const [hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0));
  return hours! * 3600 + minutes! * 60 + seconds!;
}

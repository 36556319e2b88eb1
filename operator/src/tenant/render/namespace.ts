import type { KubernetesObject } from '@kubernetes/client-node';
import { ownedMetadata, tenantLabels } from '../labels.js';
import { enabledModules, type TenantPlan } from '../tenant-plan.js';
import { formatCpu, formatMemory, sumQuantity } from './quantities.js';

/** The tenant's namespace, with Pod Security "restricted" enforced: nothing in it may run privileged. */
export function renderNamespace(plan: TenantPlan): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: ownedMetadata(
      plan,
      plan.namespace,
      {
        ...tenantLabels(plan),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
      },
      false,
    ),
  };
}

export const TENANT_SERVICE_ACCOUNT = 'np-tenant';

/** The identity the tenant's pods run as; it holds no API permissions and mounts no token. */
export function renderServiceAccount(plan: TenantPlan): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: ownedMetadata(plan, TENANT_SERVICE_ACCOUNT, tenantLabels(plan)),
    automountServiceAccountToken: false,
  } as KubernetesObject;
}

/** Rolling updates surge by 25%, so the quota leaves room for one extra pod per four. */
const SURGE = 1.25;

/**
 * A ceiling sized from what the Tenant asked for: every enabled module at its maximum replicas,
 * plus rolling-update surge. A tenant can scale within its plan but cannot starve the cluster.
 */
export function renderResourceQuota(plan: TenantPlan): KubernetesObject {
  const modules = enabledModules(plan);
  const total = (pick: (module: (typeof modules)[number]) => string | number | undefined) =>
    sumQuantity(modules.map((module) => ({ quantity: pick(module) ?? 0, times: module.maxReplicas * SURGE })));
  const pods = Math.ceil(modules.reduce((sum, module) => sum + module.maxReplicas, 0) * SURGE);
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: ownedMetadata(plan, 'tenant-quota', tenantLabels(plan)),
    spec: {
      hard: {
        pods: String(pods),
        'requests.cpu': formatCpu(total((module) => module.requests.cpu)),
        'requests.memory': formatMemory(total((module) => module.requests.memory)),
        'limits.cpu': formatCpu(total((module) => module.limits.cpu)),
        'limits.memory': formatMemory(total((module) => module.limits.memory)),
      },
    },
  } as KubernetesObject;
}

/** Defaults for any container that does not say what it needs, and a cap on any single one. */
export function renderLimitRange(plan: TenantPlan): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: ownedMetadata(plan, 'tenant-limits', tenantLabels(plan)),
    spec: {
      limits: [
        {
          type: 'Container',
          default: { cpu: '500m', memory: '256Mi' },
          defaultRequest: { cpu: '100m', memory: '128Mi' },
          max: { cpu: '4', memory: '8Gi' },
        },
      ],
    },
  } as KubernetesObject;
}

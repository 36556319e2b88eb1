import type { KubernetesObject } from '@kubernetes/client-node';
import { moduleLabels, moduleSelector, ownedMetadata } from '../labels.js';
import type { ModulePlan, TenantPlan } from '../tenant-plan.js';

/** Scales a running module between its bounds on CPU use. Disabled modules, and modules not started yet, have none. */
export function renderHorizontalPodAutoscaler(plan: TenantPlan, module: ModulePlan, started = module.enabled): KubernetesObject | undefined {
  if (!started) return undefined;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: ownedMetadata(plan, module.name, moduleLabels(plan, module.name)),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: module.name },
      minReplicas: module.minReplicas,
      maxReplicas: module.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: module.cpuUtilization } },
        },
      ],
    },
  } as KubernetesObject;
}

/** Node drains take at most one replica of a module at a time, once it may have more than one. */
export function renderPodDisruptionBudget(plan: TenantPlan, module: ModulePlan, started = module.enabled): KubernetesObject | undefined {
  if (!started || module.maxReplicas <= 1) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: ownedMetadata(plan, module.name, moduleLabels(plan, module.name)),
    spec: { maxUnavailable: 1, selector: { matchLabels: moduleSelector(plan, module.name) } },
  } as KubernetesObject;
}

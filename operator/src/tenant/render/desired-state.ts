import type { KubernetesObject } from '@kubernetes/client-node';
import type { TenantPlan } from '../tenant-plan.js';
import { renderGatewayConfig } from './gateway-config.js';
import { renderIngress } from './ingress.js';
import { renderDeployment, renderService } from './module-workload.js';
import { renderHorizontalPodAutoscaler, renderPodDisruptionBudget } from './module-scaling.js';
import { renderLimitRange, renderNamespace, renderResourceQuota, renderServiceAccount } from './namespace.js';
import { renderNetworkPolicies } from './network-policy.js';

export interface DesiredState {
  namespace: KubernetesObject;
  /** Everything inside the namespace, in the order a person would create it. */
  namespaced: KubernetesObject[];
}

/** Every object a Tenant should have, as pure data: the reconcile applies it, tests and the benchmark read it. */
export function renderTenant(plan: TenantPlan): DesiredState {
  const perModule = plan.modules.flatMap((module) => [
    renderService(plan, module),
    renderDeployment(plan, module),
    renderHorizontalPodAutoscaler(plan, module),
    renderPodDisruptionBudget(plan, module),
  ]);
  const namespaced = [
    renderServiceAccount(plan),
    renderResourceQuota(plan),
    renderLimitRange(plan),
    ...renderNetworkPolicies(plan),
    renderGatewayConfig(plan),
    ...perModule,
    renderIngress(plan),
  ].filter((object): object is KubernetesObject => object !== undefined);
  return { namespace: renderNamespace(plan), namespaced };
}

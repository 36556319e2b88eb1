import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModuleName } from '@np/modules';
import type { ModulePlan, TenantPlan } from '../tenant-plan.js';
import { renderGatewayConfig } from './gateway-config.js';
import { renderIngress } from './ingress.js';
import { renderDeployment, renderService } from './module-workload.js';
import { renderAutoscaler, renderPodDisruptionBudget, renderQueueMonitorAuthentication, usesKeda } from './module-scaling.js';
import { renderLimitRange, renderNamespace, renderResourceQuota, renderServiceAccount } from './namespace.js';
import { renderNetworkPolicies } from './network-policy.js';

export interface DesiredState {
  namespace: KubernetesObject;
  /** Everything inside the namespace, in the order a person would create it. */
  namespaced: KubernetesObject[];
}

export interface RenderOptions {
  /** Modules whose connections Secret exists; the others are not started. Default: every module (a converged Tenant). */
  connected?: ReadonlySet<ModuleName>;
}

/**
 * Every object a Tenant should have, as pure data: the reconcile applies it, tests and the
 * benchmark read it. The Secrets are not among them: they come from the infrastructure (see
 * `infrastructure/connection-secrets`).
 */
export function renderTenant(plan: TenantPlan, options: RenderOptions = {}): DesiredState {
  const started = (module: ModulePlan) => module.enabled && (options.connected?.has(module.name) ?? true);
  const perModule = plan.modules.flatMap((module) => [
    renderService(plan, module),
    renderDeployment(plan, module, started(module)),
    renderAutoscaler(plan, module, plan.scaling, started(module)),
    renderPodDisruptionBudget(plan, module, started(module)),
  ]);
  const namespaced = [
    renderServiceAccount(plan),
    renderResourceQuota(plan),
    renderLimitRange(plan),
    ...renderNetworkPolicies(plan),
    renderGatewayConfig(plan),
    ...perModule,
    usesKeda(plan, plan.scaling) ? renderQueueMonitorAuthentication(plan) : undefined,
    renderIngress(plan),
  ].filter((object): object is KubernetesObject => object !== undefined);
  return { namespace: renderNamespace(plan), namespaced };
}

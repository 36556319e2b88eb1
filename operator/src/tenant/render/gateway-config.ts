import type { KubernetesObject } from '@kubernetes/client-node';
import { moduleLabels, ownedMetadata } from '../labels.js';
import { enabledModules, type TenantPlan } from '../tenant-plan.js';

export const GATEWAY_CONFIG_NAME = 'gateway-modules';

/** The gateway answers `module_not_enabled` for any module missing here. */
export function gatewayConfigData(plan: TenantPlan): Record<string, string> {
  const optional = enabledModules(plan)
    .map((module) => module.name)
    .filter((name) => name !== 'gateway' && name !== 'auth');
  return { NP_TENANT: plan.name, NP_MODULES: optional.join(',') };
}

export function renderGatewayConfig(plan: TenantPlan): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMetadata(plan, GATEWAY_CONFIG_NAME, moduleLabels(plan, 'gateway')),
    data: gatewayConfigData(plan),
  } as KubernetesObject;
}

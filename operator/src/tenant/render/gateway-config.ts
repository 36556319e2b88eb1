import type { KubernetesObject } from '@kubernetes/client-node';
import { moduleLabels, ownedMetadata } from '../labels.js';
import { enabledModules, type TenantPlan } from '../tenant-plan.js';

export const GATEWAY_CONFIG_NAME = 'gateway-modules';

/**
 * The gateway answers `module_not_enabled` for any module missing here. A module serving bytes
 * is reached at its Service's data port (`NP_FILES_URL=http://files:8081`), in the namespace.
 */
export function gatewayConfigData(plan: TenantPlan): Record<string, string> {
  const enabled = enabledModules(plan);
  const optional = enabled.map((module) => module.name).filter((name) => name !== 'gateway' && name !== 'auth');
  const dataUrls = Object.fromEntries(enabled.flatMap((module) => (module.data ? [[module.data.urlSetting, `http://${module.name}:${module.data.port}`]] : [])));
  return { NP_TENANT: plan.name, NP_MODULES: optional.join(','), ...dataUrls };
}

export function renderGatewayConfig(plan: TenantPlan): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMetadata(plan, GATEWAY_CONFIG_NAME, moduleLabels(plan, 'gateway')),
    data: gatewayConfigData(plan),
  } as KubernetesObject;
}

import type { KubernetesObject } from '@kubernetes/client-node';
import { moduleLabels, ownedMetadata } from '../labels.js';
import { enabledModules, type TenantPlan } from '../tenant-plan.js';
import { publicUrlOf } from './ingress.js';

export const GATEWAY_CONFIG_NAME = 'gateway-modules';

/**
 * The gateway answers `module_not_enabled` for any module missing from NP_MODULES. With an
 * ingress, NP_PUBLIC_URL is the tenant's public address (https when the Ingress has TLS), and the
 * gateway takes the client's address from the ingress controller's X-Forwarded-For, so per-address
 * rate limits count clients, not the controller; `spec.ingress.corsOrigins` become the origins its
 * CORS answers allow. `spec.rateLimits` replaces the gateway's defaults.
 * A module with a data listener (files) is reached at its Service's HTTP port
 * (`NP_FILES_URL=http://files`), in the namespace.
 */
export function gatewayConfigData(plan: TenantPlan): Record<string, string> {
  const enabled = enabledModules(plan);
  const optional = enabled.map((module) => module.name).filter((name) => name !== 'gateway' && name !== 'auth');
  const dataUrls = Object.fromEntries(enabled.flatMap((module) => (module.data ? [[module.data.urlSetting, `http://${module.name}`]] : [])));
  const { ingress } = plan;
  const limits = plan.tenant.spec.rateLimits;
  return {
    NP_TENANT: plan.name,
    // An empty variable reads as unset (libs/config): `none` is the gateway's empty list.
    NP_MODULES: optional.length > 0 ? optional.join(',') : 'none',
    ...dataUrls,
    ...(ingress ? { NP_PUBLIC_URL: publicUrlOf(plan)!, NP_TRUST_PROXY: 'true' } : {}),
    ...(ingress?.corsOrigins?.length ? { NP_CORS_ORIGINS: ingress.corsOrigins.join(',') } : {}),
    ...(limits?.perAddressPerMinute ? { NP_RATE_LIMIT_IP_PER_MINUTE: String(limits.perAddressPerMinute) } : {}),
    ...(limits?.perUserPerMinute ? { NP_RATE_LIMIT_USER_PER_MINUTE: String(limits.perUserPerMinute) } : {}),
  };
}

export function renderGatewayConfig(plan: TenantPlan): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMetadata(plan, GATEWAY_CONFIG_NAME, moduleLabels(plan, 'gateway')),
    data: gatewayConfigData(plan),
  } as KubernetesObject;
}

import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModuleName } from '@np/modules';
import { ownedMetadata, tenantLabels } from '../labels.js';
import type { TenantPlan } from '../tenant-plan.js';
import type { ModuleStatus } from '../tenant-status.js';

/**
 * Each module's state as the Tenant's status shows it (enabled, desired and ready replicas), for
 * the modules that report it (backoffice's `GET /v1/backoffice/modules`). A ConfigMap mounted as a
 * file rather than read from the API: tenant pods hold no Kubernetes credentials, and the kubelet
 * refreshes a mounted ConfigMap on its own (within its sync period).
 */
export const MODULE_STATUS_CONFIG_NAME = 'module-status';
export const MODULE_STATUS_KEY = 'modules.json';
export const MODULE_STATUS_MOUNT_PATH = '/etc/np/module-status';
/** The modules whose pods mount it, and read it at `NP_MODULE_STATUS_FILE`. */
export const MODULE_STATUS_READERS: ReadonlySet<ModuleName> = new Set<ModuleName>(['backoffice']);

export function renderModuleStatusConfig(plan: TenantPlan, modules: readonly ModuleStatus[]): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: ownedMetadata(plan, MODULE_STATUS_CONFIG_NAME, tenantLabels(plan)),
    data: { [MODULE_STATUS_KEY]: JSON.stringify({ modules }) },
  } as KubernetesObject;
}

import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import { TENANT_API_VERSION, TENANT_GROUP, TENANT_KIND } from '../api/tenant.js';
import type { TenantPlan } from './tenant-plan.js';

export { TENANT_GROUP };

/** The one field manager the operator applies with. */
export const FIELD_MANAGER = 'np-operator';
export const FINALIZER = `${TENANT_GROUP}/cleanup`;
export const TENANT_LABEL = `${TENANT_GROUP}/tenant`;
export const MODULE_LABEL = `${TENANT_GROUP}/module`;
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'np-operator';
/** Every object the operator owns carries it; informers watch only these. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

export function tenantLabels(plan: TenantPlan): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': 'np-platform',
    'app.kubernetes.io/instance': plan.name,
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [TENANT_LABEL]: plan.name,
  };
}

export function moduleLabels(plan: TenantPlan, module: string): Record<string, string> {
  return { ...tenantLabels(plan), 'app.kubernetes.io/name': module, [MODULE_LABEL]: module };
}

/** Selects a module's pods; kept to the two labels that never change so selectors stay valid. */
export function moduleSelector(plan: TenantPlan, module: string): Record<string, string> {
  return { [TENANT_LABEL]: plan.name, [MODULE_LABEL]: module };
}

export function ownerReference(plan: TenantPlan): V1OwnerReference {
  return {
    apiVersion: TENANT_API_VERSION,
    kind: TENANT_KIND,
    name: plan.name,
    uid: plan.tenant.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of an object the tenant owns, in its namespace unless `namespaced` is false. */
export function ownedMetadata(
  plan: TenantPlan,
  name: string,
  labels: Record<string, string>,
  namespaced = true,
): NonNullable<KubernetesObject['metadata']> {
  return {
    name,
    ...(namespaced ? { namespace: plan.namespace } : {}),
    labels,
    ownerReferences: [ownerReference(plan)],
  };
}

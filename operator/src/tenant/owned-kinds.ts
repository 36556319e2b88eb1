import { TENANT_API_VERSION, TENANT_KIND, TENANT_PLURAL } from '../api/tenant.js';
import type { WatchedKind } from '../runtime/informer.js';
import { MANAGED_SELECTOR } from './labels.js';

export const TENANT_KIND_INFO: WatchedKind = {
  apiVersion: TENANT_API_VERSION,
  kind: TENANT_KIND,
  plural: TENANT_PLURAL,
  namespaced: false,
};

const owned = (apiVersion: string, kind: string, plural: string, namespaced = true): WatchedKind => ({
  apiVersion,
  kind,
  plural,
  namespaced,
  labelSelector: MANAGED_SELECTOR,
});

export const NAMESPACE_KIND = owned('v1', 'Namespace', 'namespaces', false);

/**
 * Every namespaced kind a Tenant renders to. Each is watched (drift brings the Tenant back to the
 * queue) and pruned (an object the desired state no longer names is deleted).
 */
export const OWNED_NAMESPACED_KINDS: readonly WatchedKind[] = [
  owned('v1', 'ServiceAccount', 'serviceaccounts'),
  owned('v1', 'ResourceQuota', 'resourcequotas'),
  owned('v1', 'LimitRange', 'limitranges'),
  owned('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  owned('v1', 'ConfigMap', 'configmaps'),
  // Only the operator's own (the label selector): the credentials, connections and initial-admin Secrets.
  owned('v1', 'Secret', 'secrets'),
  owned('v1', 'Service', 'services'),
  owned('apps/v1', 'Deployment', 'deployments'),
  owned('autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  owned('policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  owned('networking.k8s.io/v1', 'Ingress', 'ingresses'),
];

/** KEDA's kinds a Tenant renders to where KEDA is installed (a module scaling on its queues). */
export const KEDA_OWNED_KINDS: readonly WatchedKind[] = [
  owned('keda.sh/v1alpha1', 'ScaledObject', 'scaledobjects'),
  owned('keda.sh/v1alpha1', 'TriggerAuthentication', 'triggerauthentications'),
];

/** The namespaced kinds a Tenant may render to in this cluster. */
export function ownedNamespacedKinds(keda: boolean): readonly WatchedKind[] {
  return keda ? [...OWNED_NAMESPACED_KINDS, ...KEDA_OWNED_KINDS] : OWNED_NAMESPACED_KINDS;
}

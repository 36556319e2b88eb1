import type { Tenant } from '../api/tenant.js';
import type { ReconcileResult } from '../runtime/controller.js';
import { FINALIZER } from './labels.js';
import { renderNamespace } from './render/namespace.js';
import type { TenantReconcilerDeps } from './tenant-reconciler.js';
import { planTenant } from './tenant-plan.js';

const NAMESPACE_GONE_POLL_MS = 2000;

/**
 * Runs when a Tenant is being deleted: removes its namespace (and with it every workload), waits
 * until the namespace is really gone, then releases the finalizer. The finalizer is never released
 * before cleanup has finished, so nothing of a deleted Tenant outlives it.
 *
 * `deletionPolicy` governs the tenant's data held outside the cluster (database, bucket, realm,
 * vhost); in-cluster objects always go with the Tenant.
 */
export async function finalizeTenant(tenant: Tenant, deps: TenantReconcilerDeps): Promise<ReconcileResult | undefined> {
  const finalizers = tenant.metadata.finalizers ?? [];
  if (!finalizers.includes(FINALIZER)) return undefined;
  const plan = planTenant(tenant, deps.settings);
  const namespace = deps.caches.namespaces.get(plan.namespace);
  if (namespace) {
    if (tenant.status?.phase !== 'Deleting') {
      await deps.tenantApi.patchStatus(tenant, { ...tenant.status, phase: 'Deleting', observedGeneration: tenant.metadata.generation });
      await deps.events.record(tenant, 'Normal', 'Deleting', `deleting namespace ${plan.namespace} and everything in it`);
    }
    if (!namespace.metadata?.deletionTimestamp) await deps.writer.delete(renderNamespace(plan));
    return { requeueAfterMs: NAMESPACE_GONE_POLL_MS };
  }
  await deps.tenantApi.setFinalizers(tenant, finalizers.filter((finalizer) => finalizer !== FINALIZER));
  const policy = tenant.spec.deletionPolicy ?? 'Retain';
  await deps.events.record(tenant, 'Normal', 'Deleted', `namespace ${plan.namespace} removed; data outside the cluster: ${policy}`);
  deps.logger.info({ tenant: plan.name, deletionPolicy: policy }, 'tenant cleaned up; finalizer released');
  return undefined;
}

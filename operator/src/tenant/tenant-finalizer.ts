import type { Tenant, TenantCondition } from '../api/tenant.js';
import type { ReconcileResult } from '../runtime/controller.js';
import { tenantShare } from '../provisioning/infrastructure-descriptions.js';
import { renderRetainedCredentials, retainedCredentialsName } from '../provisioning/credential-store.js';
import { completeCredentials, secretValues } from '../provisioning/tenant-credentials.js';
import { INFRASTRUCTURE_KINDS } from '../provisioning/tenant-infrastructure.js';
import { FINALIZER } from './labels.js';
import { renderNamespace } from './render/namespace.js';
import { CREDENTIALS_SECRET_NAME } from './secret-names.js';
import type { TenantReconcilerDeps } from './tenant-reconciler.js';
import { ownsNamespace } from './tenant-namespace.js';
import { planTenant, type TenantPlan } from './tenant-plan.js';
import { INFRASTRUCTURE_CONDITIONS } from './tenant-status.js';

const NAMESPACE_GONE_POLL_MS = 2000;
/** Set once the tenant's share of the servers has been removed or retained, so it is done once. */
export const RELEASED_CONDITION = 'InfrastructureReleased';

/**
 * Runs when a Tenant is being deleted, in this order, and releases the finalizer only at the end,
 * so nothing of a deleted Tenant outlives it:
 * 1. its share of the servers (outside the cluster): `deletionPolicy: Delete` removes the vhost
 *    and users, the database and roles, the bucket with its objects and keys, the realm (or the
 *    organization and its users); a server that is down or refuses holds the Tenant, with a
 *    Warning Event and its condition saying why, and is tried again with backoff. `Retain` keeps
 *    them and records an Event naming what was kept. This happens before the namespace goes
 *    because the credentials it needs are kept there.
 * 2. its namespace (and with it every workload and Secret), waiting until it is really gone.
 */
export async function finalizeTenant(tenant: Tenant, deps: TenantReconcilerDeps): Promise<ReconcileResult | undefined> {
  const finalizers = tenant.metadata.finalizers ?? [];
  if (!finalizers.includes(FINALIZER)) return undefined;
  const plan = planTenant(tenant, deps.settings);
  const cached = deps.caches.namespaces.get(plan.namespace);
  // A namespace the operator did not create for this Tenant is not deleted with it.
  const namespace = cached && ownsNamespace(cached, tenant) ? cached : undefined;
  if (namespace?.metadata?.deletionTimestamp) return { requeueAfterMs: NAMESPACE_GONE_POLL_MS };

  if (tenant.status?.phase !== 'Deleting') {
    await deps.tenantApi.patchStatus(tenant, { ...tenant.status, phase: 'Deleting', observedGeneration: tenant.metadata.generation });
    await deps.events.record(tenant, 'Normal', 'Deleting', `deleting namespace ${plan.namespace} and everything in it; data outside the cluster: ${plan.deletionPolicy}`);
  }
  if (!released(tenant)) await releaseInfrastructure(tenant, plan, deps);
  if (namespace) {
    await deps.writer.delete(renderNamespace(plan));
    return { requeueAfterMs: NAMESPACE_GONE_POLL_MS };
  }
  await deps.tenantApi.setFinalizers(tenant, finalizers.filter((finalizer) => finalizer !== FINALIZER));
  await deps.events.record(tenant, 'Normal', 'Deleted', `namespace ${plan.namespace} removed; data outside the cluster: ${plan.deletionPolicy}`);
  deps.logger.info({ tenant: plan.name, deletionPolicy: plan.deletionPolicy }, 'tenant cleaned up; finalizer released');
  return undefined;
}

function released(tenant: Tenant): boolean {
  return (tenant.status?.conditions ?? []).some((condition) => condition.type === RELEASED_CONDITION && condition.status === 'True');
}

async function releaseInfrastructure(tenant: Tenant, plan: TenantPlan, deps: TenantReconcilerDeps): Promise<void> {
  const organizationRealm = deps.infrastructure.servers.identity?.organization.realm;
  let message: string;
  let reason: string;
  if (plan.deletionPolicy === 'Retain') {
    reason = 'Retained';
    const stored = deps.caches.secrets.get(CREDENTIALS_SECRET_NAME, plan.namespace);
    if (stored) await deps.writer.apply(renderRetainedCredentials(plan, secretValues(stored), deps.settings.operatorNamespace));
    message = `deletionPolicy Retain: kept ${INFRASTRUCTURE_KINDS.map((kind) => tenantShare(plan, kind, organizationRealm)).join('; ')}, and their credentials in Secret ${deps.settings.operatorNamespace}/${retainedCredentialsName(plan)} for a Tenant of the same name`;
    await deps.events.record(tenant, 'Normal', 'InfrastructureRetained', message);
  } else {
    // Credentials lost with a namespace deleted by hand are replaced by fresh ones: the names are
    // what removal needs, and an account whose key is unknown is not found and not removed.
    const { credentials } = completeCredentials(secretValues(deps.caches.secrets.get(CREDENTIALS_SECRET_NAME, plan.namespace)));
    const report = await deps.infrastructure.remove(plan, credentials);
    const failed = INFRASTRUCTURE_KINDS.filter((kind) => !report[kind].ok);
    if (failed.length > 0) {
      const problems = failed.map((kind) => `${INFRASTRUCTURE_CONDITIONS[kind]}: ${report[kind].message}`);
      await deps.events.record(tenant, 'Warning', 'RemovalFailed', `deletionPolicy Delete: could not remove everything yet; ${problems.join('; ')}`);
      await deps.tenantApi.patchStatus(tenant, {
        ...tenant.status,
        phase: 'Deleting',
        conditions: upsert(tenant.status?.conditions ?? [], failed.map((kind) => condition(tenant, INFRASTRUCTURE_CONDITIONS[kind], false, 'RemovalFailed', report[kind].message))),
      });
      throw new Error(`tenant ${plan.name}: removal failed: ${problems.join('; ')}`);
    }
    reason = 'Removed';
    message = `deletionPolicy Delete: ${INFRASTRUCTURE_KINDS.map((kind) => report[kind].message).join('; ')}`;
    await deps.events.record(tenant, 'Normal', 'InfrastructureRemoved', message);
  }
  await deps.tenantApi.patchStatus(tenant, {
    ...tenant.status,
    phase: 'Deleting',
    conditions: upsert(tenant.status?.conditions ?? [], [condition(tenant, RELEASED_CONDITION, true, reason, message)]),
  });
}

function condition(tenant: Tenant, type: string, ok: boolean, reason: string, message: string): TenantCondition {
  return {
    type,
    status: ok ? 'True' : 'False',
    observedGeneration: tenant.metadata.generation,
    lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    reason,
    message,
  };
}

function upsert(conditions: readonly TenantCondition[], changes: readonly TenantCondition[]): TenantCondition[] {
  return [...conditions.filter((existing) => !changes.some((change) => change.type === existing.type)), ...changes];
}

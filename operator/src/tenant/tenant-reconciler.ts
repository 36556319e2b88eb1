import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import type { Logger } from '@np/observability';
import type { Tenant } from '../api/tenant.js';
import { apiErrorMessage } from '../runtime/api-errors.js';
import { firstDifference, needsApply, withAppliedHash, type ObjectWriter } from '../runtime/apply.js';
import { kindKey } from '../runtime/raw-api.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventRecorder } from '../runtime/events.js';
import type { SharedInformer } from '../runtime/informer.js';
import type { RenderSettings } from '../settings.js';
import { FINALIZER, TENANT_LABEL } from './labels.js';
import { renderTenant } from './render/desired-state.js';
import type { TenantApi } from './tenant-api.js';
import { finalizeTenant } from './tenant-finalizer.js';
import { planTenant, type TenantPlan } from './tenant-plan.js';
import { computeStatus, statusChanged } from './tenant-status.js';
import { recordTransitions } from './tenant-events.js';

/** The caches a reconcile reads: Tenants, their namespaces, and each owned kind by `apiVersion/kind`. */
export interface TenantCaches {
  tenants: SharedInformer<Tenant>;
  namespaces: SharedInformer;
  owned: ReadonlyMap<string, SharedInformer>;
}

export interface TenantReconcilerDeps {
  caches: TenantCaches;
  writer: ObjectWriter;
  tenantApi: TenantApi;
  events: EventRecorder;
  settings: RenderSettings;
  logger: Logger;
}

/** While a namespace is going away, look again this often (its deletion is not always observed). */
const DELETION_POLL_MS = 2000;

/**
 * Makes the cluster match one Tenant. Stateless between calls: everything it needs comes from the
 * caches. Writes only what differs, so a reconcile of a converged Tenant sends no request at all.
 */
export class TenantReconciler {
  constructor(private readonly deps: TenantReconcilerDeps) {}

  readonly reconcile = async (name: string): Promise<ReconcileResult | undefined> => {
    const cached = this.deps.caches.tenants.get(name);
    if (!cached) return undefined; // gone: owner references let the garbage collector finish the job
    if (cached.metadata.deletionTimestamp) return finalizeTenant(cached, this.deps);
    const tenant = await this.ensureFinalizer(cached);
    return this.reconcileLive(tenant);
  };

  private async ensureFinalizer(tenant: Tenant): Promise<Tenant> {
    const finalizers = tenant.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER)) return tenant;
    return this.deps.tenantApi.setFinalizers(tenant, [...finalizers, FINALIZER]);
  }

  private async reconcileLive(tenant: Tenant): Promise<ReconcileResult | undefined> {
    const plan = planTenant(tenant, this.deps.settings);
    const desired = renderTenant(plan);
    const errors: string[] = [];
    const namespace = this.deps.caches.namespaces.get(plan.namespace);
    if (namespace?.metadata?.deletionTimestamp) {
      // A Tenant re-created while its old namespace terminates: wait, then start again.
      await this.writeStatus(plan, errors);
      return { requeueAfterMs: DELETION_POLL_MS };
    }
    await this.applyIfChanged(withAppliedHash(desired.namespace), namespace, errors);
    if (errors.length === 0) {
      await Promise.all(
        desired.namespaced.map((object) => {
          const hashed = withAppliedHash(object);
          return this.applyIfChanged(hashed, this.cached(hashed, plan.namespace), errors);
        }),
      );
      await this.prune(plan, desired.namespaced, errors);
    }
    await this.writeStatus(plan, errors);
    if (errors.length > 0) throw new Error(`tenant ${plan.name}: ${errors.join('; ')}`);
    return undefined;
  }

  private cached(object: KubernetesObject, namespace: string): KubernetesObject | undefined {
    const informer = this.deps.caches.owned.get(kindKey(object));
    return informer?.get(object.metadata?.name ?? '', namespace);
  }

  private async applyIfChanged(object: KubernetesObject, live: KubernetesObject | undefined, errors: string[]): Promise<void> {
    if (!needsApply(object, live)) return;
    this.deps.logger.debug(
      { kind: object.kind, name: object.metadata?.name, namespace: object.metadata?.namespace, difference: live && firstDifference(object, live) },
      'applying',
    );
    try {
      await this.deps.writer.apply(object);
    } catch (error) {
      errors.push(`${object.kind} ${object.metadata?.name}: ${apiErrorMessage(error)}`);
    }
  }

  /** Deletes what the Tenant used to have and no longer names: a removed module, a dropped ingress. */
  private async prune(plan: TenantPlan, desired: readonly KubernetesObject[], errors: string[]): Promise<void> {
    const wanted = new Set(desired.map((object) => `${kindKey(object)}/${object.metadata?.name}`));
    const stale: KubernetesObject[] = [];
    // Cached objects carry apiVersion and kind (the informer fills them in for listed ones).
    for (const informer of this.deps.caches.owned.values()) {
      for (const object of informer.list(plan.namespace)) {
        if (object.metadata?.labels?.[TENANT_LABEL] !== plan.name) continue;
        if (object.metadata.deletionTimestamp) continue;
        if (!wanted.has(`${kindKey(object)}/${object.metadata.name}`)) stale.push(object);
      }
    }
    await Promise.all(
      stale.map(async (object) => {
        try {
          await this.deps.writer.delete(object);
        } catch (error) {
          errors.push(`deleting ${object.kind} ${object.metadata?.name}: ${apiErrorMessage(error)}`);
        }
      }),
    );
  }

  private async writeStatus(plan: TenantPlan, errors: string[]): Promise<void> {
    const status = computeStatus(plan, {
      namespace: this.deps.caches.namespaces.get(plan.namespace),
      deployments: this.deployments(plan.namespace),
      ingressApplied: this.hasIngress(plan),
      errors,
    });
    if (!statusChanged(plan.tenant, status)) return;
    await this.deps.tenantApi.patchStatus(plan.tenant, status);
    await recordTransitions(this.deps.events, plan.tenant, status);
  }

  private hasIngress(plan: TenantPlan): boolean {
    if (!plan.ingress) return false;
    return this.cached({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'gateway' } }, plan.namespace) !== undefined;
  }

  private deployments(namespace: string): Map<string, V1Deployment> {
    const informer = this.deps.caches.owned.get(kindKey({ apiVersion: 'apps/v1', kind: 'Deployment' }));
    const list = (informer?.list(namespace) ?? []) as V1Deployment[];
    return new Map(list.map((deployment) => [deployment.metadata?.name ?? '', deployment]));
  }
}

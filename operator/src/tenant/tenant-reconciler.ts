import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import type { Logger } from '@np/observability';
import { TENANT_KIND, type ModuleName, type Tenant } from '../api/tenant.js';
import { apiErrorMessage } from '../runtime/api-errors.js';
import { firstDifference, needsApply, withAppliedHash, type ObjectWriter } from '../runtime/apply.js';
import { kindKey } from '../runtime/raw-api.js';
import type { ReconcileResult } from '../runtime/controller.js';
import type { EventRecorder } from '../runtime/events.js';
import type { SharedInformer } from '../runtime/informer.js';
import type { RenderSettings } from '../settings.js';
import { ensureCredentials } from '../provisioning/credential-store.js';
import type { InfrastructureReport, TenantInfrastructure } from '../provisioning/tenant-infrastructure.js';
import { planSecrets, type SecretPlan } from '../provisioning/tenant-secrets.js';
import { FINALIZER, TENANT_LABEL } from './labels.js';
import { renderTenant } from './render/desired-state.js';
import { renderModuleStatusConfig } from './render/module-status.js';
import { connectionsSecretName, CREDENTIALS_SECRET_NAME } from './secret-names.js';
import type { TenantApi } from './tenant-api.js';
import { finalizeTenant } from './tenant-finalizer.js';
import { ensureNamespace } from './tenant-namespace.js';
import { planTenant, type TenantPlan } from './tenant-plan.js';
import { computeStatus, moduleStatuses, statusChanged, type Observation } from './tenant-status.js';
import { recordTransitions } from './tenant-events.js';

/** The caches a reconcile reads: Tenants, their namespaces, and each owned kind by `apiVersion/kind`. */
export interface TenantCaches {
  tenants: SharedInformer<Tenant>;
  namespaces: SharedInformer;
  owned: ReadonlyMap<string, SharedInformer>;
  /** The operator's Secrets (also in `owned`): credentials and connections, read from here, never from the API. */
  secrets: SharedInformer;
}

export interface TenantReconcilerDeps {
  caches: TenantCaches;
  writer: ObjectWriter;
  tenantApi: TenantApi;
  events: EventRecorder;
  settings: RenderSettings;
  infrastructure: TenantInfrastructure;
  logger: Logger;
}

/** While a namespace is going away, look again this often (its deletion is not always observed). */
const DELETION_POLL_MS = 2000;

/**
 * Makes the cluster and the servers match one Tenant: namespace, credentials, each kind of
 * server's share, the module Secrets, then the workloads. Stateless between calls: everything it
 * needs comes from the caches and the servers. Writes only what differs, so a reconcile of a
 * converged Tenant sends no request to the API server and only reads on the servers.
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
    const errors: string[] = [];
    const namespace = this.deps.caches.namespaces.get(plan.namespace);
    if (namespace?.metadata?.deletionTimestamp) {
      // A Tenant re-created while its old namespace terminates: wait, then start again.
      await this.writeStatus(plan, { errors });
      return { requeueAfterMs: DELETION_POLL_MS };
    }
    const initial = renderTenant(plan);
    const outcome = await ensureNamespace(tenant, initial.namespace, namespace, this.deps.writer);
    if (!outcome.usable) {
      if (outcome.error) errors.push(outcome.error);
      await this.writeStatus(plan, { errors, namespaceNotOwned: outcome.notOwned });
      // Nothing watched tells when a foreign namespace goes away: look again with backoff.
      throw new Error(`tenant ${plan.name}: ${outcome.notOwned ?? outcome.error ?? 'namespace not usable'}`);
    }

    let report: InfrastructureReport | undefined;
    let secrets: SecretPlan | undefined;
    try {
      const credentials = await ensureCredentials(plan, this.deps.caches.secrets, this.deps.writer, this.deps.settings.operatorNamespace);
      report = await this.deps.infrastructure.ensure(plan, credentials);
      const identity = report.identity.ok ? this.deps.infrastructure.identitySpec(plan, credentials) : undefined;
      secrets = planSecrets(plan, credentials, report, this.deps.infrastructure.servers, identity, (name) => this.secret(plan, name) !== undefined);
    } catch (error) {
      errors.push(`credentials: ${apiErrorMessage(error)}`);
    }

    const connected = new Set<ModuleName>();
    const written: KubernetesObject[] = [];
    if (secrets) {
      // Secrets first: a Deployment started in the same breath would find its Secret missing.
      await Promise.all(
        secrets.render.map(async ({ module, secret }) => {
          const hashed = withAppliedHash(secret);
          written.push(hashed);
          const cached = this.secret(plan, secret.metadata?.name ?? '');
          // A failed write leaves an older Secret in place, which still starts the module.
          if ((await this.applyIfChanged(hashed, cached, errors)) || cached) {
            if (module) connected.add(module);
          }
        }),
      );
    }
    for (const module of plan.modules) {
      // Kept Secrets, or all of them when the credentials could not be read: what runs keeps running.
      const name = connectionsSecretName(module.name);
      if ((!secrets || secrets.keep.includes(name)) && this.secret(plan, name)) connected.add(module.name);
    }

    const desired = renderTenant(plan, { connected });
    await Promise.all(
      desired.namespaced.map((object) => {
        const hashed = withAppliedHash(object);
        return this.applyIfChanged(hashed, this.cached(hashed, plan.namespace), errors);
      }),
    );
    // The modules as the cached Deployments show them: the next Deployment event brings the rest.
    const statusConfig = withAppliedHash(renderModuleStatusConfig(plan, moduleStatuses(plan, this.deployments(plan.namespace))));
    await this.applyIfChanged(statusConfig, this.cached(statusConfig, plan.namespace), errors);
    const kept = [CREDENTIALS_SECRET_NAME, ...(secrets?.keep ?? [])].map((name) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name } }));
    if (secrets || report) await this.prune(plan, [...desired.namespaced, statusConfig, ...written, ...kept], errors);

    await this.writeStatus(plan, { errors, infrastructure: report, waitingForConnections: secrets?.waiting });
    const failedKinds = report ? Object.entries(report).filter(([, result]) => !result.ok) : [];
    if (errors.length > 0 || failedKinds.length > 0) {
      const problems = [...errors, ...failedKinds.map(([kind, result]) => `${kind}: ${result.message}`)];
      // The controller requeues with per-key exponential backoff; other Tenants keep their turns.
      throw new Error(`tenant ${plan.name}: ${problems.join('; ')}`);
    }
    // The servers send no watch events: drift there (a vhost deleted by hand) is found by looking again.
    return { requeueAfterMs: this.deps.infrastructure.resyncMs };
  }

  private secret(plan: TenantPlan, name: string): KubernetesObject | undefined {
    return this.deps.caches.secrets.get(name, plan.namespace);
  }

  private cached(object: KubernetesObject, namespace: string): KubernetesObject | undefined {
    const informer = this.deps.caches.owned.get(kindKey(object));
    return informer?.get(object.metadata?.name ?? '', namespace);
  }

  /** Applies the object when it differs from the cache; true when it is (now) as desired. */
  private async applyIfChanged(object: KubernetesObject, live: KubernetesObject | undefined, errors: string[]): Promise<boolean> {
    if (!needsApply(object, live)) return true;
    // A Secret's difference would print its values: only its name is logged.
    const difference = object.kind === 'Secret' ? undefined : live && firstDifference(object, live);
    this.deps.logger.debug({ kind: object.kind, name: object.metadata?.name, namespace: object.metadata?.namespace, difference }, 'applying');
    try {
      await this.deps.writer.apply(object);
      return true;
    } catch (error) {
      errors.push(`${object.kind} ${object.metadata?.name}: ${apiErrorMessage(error)}`);
      return false;
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
        // Another controller's object with our labels (the HPA KEDA creates for a ScaledObject copies its labels) is not ours to delete.
        if (!controlledByTenant(object, plan)) continue;
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

  private async writeStatus(plan: TenantPlan, observed: Pick<Observation, 'errors' | 'namespaceNotOwned' | 'infrastructure' | 'waitingForConnections'>): Promise<void> {
    const status = computeStatus(plan, {
      ...observed,
      namespace: this.deps.caches.namespaces.get(plan.namespace),
      deployments: this.deployments(plan.namespace),
      ingressApplied: this.hasIngress(plan),
      scaling: { scaledObjects: this.byName('keda.sh/v1alpha1', 'ScaledObject', plan.namespace), autoscalers: this.byName('autoscaling/v2', 'HorizontalPodAutoscaler', plan.namespace) },
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
    return this.byName('apps/v1', 'Deployment', namespace);
  }

  /** A cached kind's objects in the namespace by name; empty when the kind is not watched here (KEDA's, without KEDA). */
  private byName(apiVersion: string, kind: string, namespace: string): Map<string, KubernetesObject> {
    const informer = this.deps.caches.owned.get(kindKey({ apiVersion, kind }));
    return new Map((informer?.list(namespace) ?? []).map((object) => [object.metadata?.name ?? '', object]));
  }
}

function controlledByTenant(object: KubernetesObject, plan: TenantPlan): boolean {
  const controller = object.metadata?.ownerReferences?.find((reference) => reference.controller);
  return controller === undefined || (controller.kind === TENANT_KIND && controller.name === plan.name);
}

import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '@np/observability';
import type { Counter, Registry } from 'prom-client';
import type { Tenant } from '../api/tenant.js';
import { ObjectWriter } from '../runtime/apply.js';
import { Controller } from '../runtime/controller.js';
import { EventRecorder } from '../runtime/events.js';
import { SharedInformer } from '../runtime/informer.js';
import { kindKey } from '../runtime/raw-api.js';
import { apiWriteMetrics, serverRequestMetrics } from '../runtime/metrics.js';
import type { RenderSettings } from '../settings.js';
import type { InfrastructureSettings } from '../provisioning/infrastructure-settings.js';
import { TenantInfrastructure } from '../provisioning/tenant-infrastructure.js';
import { FIELD_MANAGER, TENANT_LABEL } from './labels.js';
import { NAMESPACE_KIND, ownedNamespacedKinds, TENANT_KIND_INFO } from './owned-kinds.js';
import { TenantApi } from './tenant-api.js';
import { TenantReconciler, type TenantCaches } from './tenant-reconciler.js';

export const CONTROLLER_NAME = 'tenant';

export interface TenantControllerOptions {
  kubeConfig: KubeConfig;
  settings: RenderSettings;
  infrastructure: InfrastructureSettings;
  logger: Logger;
  registry: Registry;
  concurrency: number;
  /** Every Tenant is queued again this often even when nothing changed (controller-runtime: 10 h). */
  resyncPeriodMs?: number;
}

const DEFAULT_RESYNC_MS = 10 * 60 * 60 * 1000;

/**
 * Wires the Tenant controller: informers on Tenants and every owned kind (one shared cache), each
 * event mapped to its Tenant's key, and one work queue feeding the reconciler.
 */
export class TenantController {
  readonly controller: Controller;
  readonly caches: TenantCaches;
  /** The provisioners, with the calls each server has received (benchmarks and tests read them). */
  readonly infrastructure: TenantInfrastructure;
  private readonly informers: SharedInformer[];
  private resyncTimer?: NodeJS.Timeout;
  private readonly apiRequests: Counter<'verb' | 'kind'>;

  constructor(private readonly options: TenantControllerOptions) {
    const { kubeConfig, logger } = options;
    const tenants = new SharedInformer<Tenant>(kubeConfig, TENANT_KIND_INFO, logger);
    const namespaces = new SharedInformer(kubeConfig, NAMESPACE_KIND, logger);
    const kinds = ownedNamespacedKinds(options.settings.keda);
    const owned = new Map(
      kinds.map((kind) => [kindKey(kind), new SharedInformer(kubeConfig, kind, logger)]),
    );
    const secrets = owned.get(kindKey({ apiVersion: 'v1', kind: 'Secret' }));
    if (!secrets) throw new Error('Secrets are not among the owned kinds');
    this.caches = { tenants, namespaces, owned, secrets };
    this.infrastructure = new TenantInfrastructure(options.infrastructure);
    serverRequestMetrics(options.registry, () => this.infrastructure.calls());
    this.informers = [tenants, namespaces, ...owned.values()];
    this.apiRequests = apiWriteMetrics(options.registry);
    const reconciler = new TenantReconciler({
      caches: this.caches,
      writer: new ObjectWriter(kubeConfig, FIELD_MANAGER, [NAMESPACE_KIND, ...kinds], this.apiRequests),
      tenantApi: new TenantApi(kubeConfig, this.apiRequests),
      events: new EventRecorder(kubeConfig, FIELD_MANAGER, logger),
      settings: options.settings,
      infrastructure: this.infrastructure,
      logger,
    });
    this.controller = new Controller({
      name: CONTROLLER_NAME,
      reconcile: reconciler.reconcile,
      logger,
      registry: options.registry,
      concurrency: options.concurrency,
    });
    this.watchTenants(tenants);
    for (const informer of [namespaces, ...owned.values()]) informer.onChange((object) => this.enqueueOwner(object));
  }

  /** Fills every cache (the first list of each kind), then starts the workers. */
  async start(): Promise<void> {
    await Promise.all(this.informers.map((informer) => informer.start()));
    this.controller.start();
    this.scheduleResync();
    this.options.logger.info({ tenants: this.caches.tenants.list().length }, 'tenant controller started');
  }

  async stop(): Promise<void> {
    clearTimeout(this.resyncTimer);
    await this.controller.stop();
    await Promise.all(this.informers.map((informer) => informer.stop()));
    await this.infrastructure.close();
  }

  /** Queues every Tenant, as a periodic resync does. */
  resyncAll(): void {
    for (const tenant of this.caches.tenants.list()) this.controller.enqueue(tenant.metadata.name);
  }

  /**
   * Tenants are queued when their spec, deletion or finalizers change, not on the operator's own
   * status writes (controller-runtime's GenerationChangedPredicate, plus deletion).
   */
  private watchTenants(tenants: SharedInformer<Tenant>): void {
    const seen = new Map<string, string>();
    tenants.onChange((tenant) => {
      const name = tenant.metadata.name;
      const fingerprint = [tenant.metadata.uid, tenant.metadata.generation, tenant.metadata.deletionTimestamp, tenant.metadata.finalizers?.join()].join('|');
      const stillThere = tenants.get(name) !== undefined;
      if (stillThere && seen.get(name) === fingerprint) return;
      if (stillThere) seen.set(name, fingerprint);
      else seen.delete(name);
      this.controller.enqueue(name);
    });
  }

  private enqueueOwner(object: KubernetesObject): void {
    const tenant = object.metadata?.labels?.[TENANT_LABEL];
    if (tenant) this.controller.enqueue(tenant);
  }

  private scheduleResync(): void {
    const period = this.options.resyncPeriodMs ?? DEFAULT_RESYNC_MS;
    const jittered = period * (1 + Math.random() * 0.1);
    this.resyncTimer = setTimeout(() => {
      this.resyncAll();
      this.scheduleResync();
    }, jittered);
    this.resyncTimer.unref();
  }
}

import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObject, V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { listAsServed } from '../src/runtime/informer.js';
import type { RunningOperator } from '../src/operator.js';
import type { TenantSpec } from '../src/api/tenant.js';
import type { TenantController } from '../src/tenant/tenant-controller.js';
import {
  MERGE_PATCH,
  clusterClients,
  createTenant,
  deleteTenant,
  eventually,
  installCrd,
  namesOf,
  namespaceExists,
  readTenant,
  setTenantSpec,
  waitForReady,
  type ClusterClients,
} from './support/cluster.js';
import { metricSum } from './support/metrics.js';
import { startTestOperator } from './support/operator-process.js';

// A fresh name per run, so a Tenant left by an interrupted run never collides with this one.
const NAME = `lifecycle-${Date.now().toString(36)}`;
const NAMESPACE = `tenant-${NAME}`;
let clients: ClusterClients;
let operator: RunningOperator;
let controller: TenantController;

beforeAll(async () => {
  clients = clusterClients();
  await installCrd(clients);
  operator = await startTestOperator();
  controller = (await operator.leading)!;
}, 120_000);

afterAll(async () => {
  await deleteTenant(clients, NAME);
  await operator?.stop();
});

const deployment = (name: string) => clients.apps.readNamespacedDeployment({ name, namespace: NAMESPACE });
const hpa = (name: string) => clients.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace: NAMESPACE });
const names = (apiVersion: string, kind: string) => namesOf(clients, apiVersion, kind, NAMESPACE);
const moduleStatus = async (name: string) => (await readTenant(clients, NAME))?.status?.modules?.find((module) => module.name === name);

const initialSpec: TenantSpec = {
  displayName: 'Lifecycle Inc',
  adminEmail: 'admin@lifecycle.example.com',
  // Its share of the servers goes with it: test runs leave nothing behind.
  deletionPolicy: 'Delete',
  ingress: { host: 'api.lifecycle.example.com', tlsSecretName: 'lifecycle-tls' },
  modules: [{ name: 'users' }, { name: 'files', replicas: { min: 2, max: 4 } }, { name: 'reports', enabled: false }],
};

describe('a Tenant on a real control plane', () => {
  it('becomes a namespace of running, autoscaled modules and reports Ready at its generation', async () => {
    await createTenant(clients, NAME, initialSpec);
    const tenant = await waitForReady(clients, NAME);

    expect(tenant.metadata.finalizers).toContain('platform.np.dev/cleanup');
    expect(tenant.status?.modules).toEqual([
      { name: 'gateway', enabled: true, desired: 1, ready: 1 },
      { name: 'auth', enabled: true, desired: 1, ready: 1 },
      { name: 'users', enabled: true, desired: 1, ready: 1 },
      { name: 'files', enabled: true, desired: 2, ready: 2 },
      { name: 'reports', enabled: false, desired: 0, ready: 0 },
    ]);
    expect(tenant.status?.readyModules).toBe('4/4');
    expect(tenant.status?.conditions?.map((condition) => [condition.type, condition.status])).toEqual([
      ['Ready', 'True'],
      ['NamespaceReady', 'True'],
      ['ResourcesApplied', 'True'],
      ['ModulesReady', 'True'],
      ['IngressReady', 'True'],
      ['MessagingReady', 'True'],
      ['DatabaseReady', 'True'],
      ['StorageReady', 'True'],
      ['IdentityReady', 'True'],
      ['ScalingReady', 'True'],
    ]);

    const all = ['auth', 'files', 'gateway', 'reports', 'users'];
    await expect(names('apps/v1', 'Deployment')).resolves.toEqual(all);
    await expect(names('v1', 'Service')).resolves.toEqual(all);
    await expect(names('autoscaling/v2', 'HorizontalPodAutoscaler')).resolves.toEqual(['auth', 'files', 'gateway', 'users']);
    await expect(names('policy/v1', 'PodDisruptionBudget')).resolves.toEqual(['auth', 'files', 'gateway', 'users']);
    await expect(names('networking.k8s.io/v1', 'Ingress')).resolves.toEqual(['gateway']);
    await expect(names('networking.k8s.io/v1', 'NetworkPolicy')).resolves.toEqual([
      'allow-dns',
      'allow-gateway-ingress',
      'allow-gateway-to-modules',
      'allow-infrastructure',
      'allow-monitoring',
      'allow-public-egress',
      'allow-tenant-to-data-listeners',
      'default-deny',
    ]);
    await expect(names('v1', 'ResourceQuota')).resolves.toEqual(['tenant-quota']);
    await expect(names('v1', 'LimitRange')).resolves.toEqual(['tenant-limits']);
    const config = await clients.core.readNamespacedConfigMap({ name: 'gateway-modules', namespace: NAMESPACE });
    expect(config.data).toEqual({
      NP_TENANT: NAME,
      NP_MODULES: 'users,files',
      NP_FILES_URL: 'http://files',
      NP_PUBLIC_URL: 'https://api.lifecycle.example.com',
      NP_TRUST_PROXY: 'true',
    });
    const policies = await listAsServed<KubernetesObject & { spec: { ingress?: { from?: unknown[] }[] } }>(
      clients.kubeConfig,
      `/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/networkpolicies`,
    );
    const toModules = policies.items.find((policy) => policy.metadata?.name === 'allow-gateway-to-modules');
    expect(toModules?.spec.ingress?.[0]?.from).toEqual([{ podSelector: { matchLabels: { 'platform.np.dev/module': 'gateway' } } }]);

    const pods = await clients.core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'platform.np.dev/module=files' });
    expect(pods.items).toHaveLength(2);
    for (const pod of pods.items) {
      expect(pod.status?.phase).toBe('Running');
      expect(pod.spec?.nodeName).toMatch(/.+/);
      expect(pod.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('True');
    }
    await expect((await deployment('reports')).spec?.replicas).toBe(0);
  });

  it('records Events a person can read', async () => {
    await eventually('a Ready event', async () => {
      const events = await clients.core.listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${NAME}` });
      return events.items.some((event) => event.reason === 'Ready' && event.involvedObject.kind === 'Tenant');
    });
  });

  it('adds a module', async () => {
    await setTenantSpec(clients, NAME, { ...initialSpec, modules: [...initialSpec.modules!, { name: 'backoffice' }] });
    await waitForReady(clients, NAME);
    await expect(names('apps/v1', 'Deployment')).resolves.toContain('backoffice');
    const config = await clients.core.readNamespacedConfigMap({ name: 'gateway-modules', namespace: NAMESPACE });
    expect(config.data?.NP_MODULES).toBe('users,files,backoffice');
  });

  it('disables a module: scaled to zero, no autoscaler, its Service kept', async () => {
    await setTenantSpec(clients, NAME, {
      ...initialSpec,
      modules: [{ name: 'users', enabled: false }, { name: 'files', replicas: { min: 2, max: 4 } }, { name: 'reports', enabled: false }, { name: 'backoffice' }],
    });
    await waitForReady(clients, NAME);
    expect((await deployment('users')).spec?.replicas).toBe(0);
    await expect(names('autoscaling/v2', 'HorizontalPodAutoscaler')).resolves.not.toContain('users');
    await expect(names('policy/v1', 'PodDisruptionBudget')).resolves.not.toContain('users');
    await expect(names('v1', 'Service')).resolves.toContain('users');
    await eventually('users pods gone', async () => (await clients.core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: 'platform.np.dev/module=users' })).items.length === 0);
    // The status follows the pods' going in the next reconcile.
    let last: unknown;
    await eventually(
      'users reported at zero',
      async () => {
        last = await moduleStatus('users');
        return isDeepStrictEqual(last, { name: 'users', enabled: false, desired: 0, ready: 0 });
      },
      60_000,
      () => JSON.stringify(last),
    );
  });

  it('re-enables a module: the autoscaler takes it back to its minimum', async () => {
    await setTenantSpec(clients, NAME, {
      ...initialSpec,
      modules: [{ name: 'users' }, { name: 'files', replicas: { min: 2, max: 4 } }, { name: 'reports', enabled: false }, { name: 'backoffice' }],
    });
    await waitForReady(clients, NAME);
    await expect(names('autoscaling/v2', 'HorizontalPodAutoscaler')).resolves.toContain('users');
    expect((await deployment('users')).status?.readyReplicas).toBeGreaterThanOrEqual(1);
  });

  it('changes replica bounds: the HPA follows and the Deployment scales to the new minimum', async () => {
    await setTenantSpec(clients, NAME, {
      ...initialSpec,
      modules: [{ name: 'users', replicas: { min: 2, max: 6 } }, { name: 'files', replicas: { min: 2, max: 4 } }, { name: 'reports', enabled: false }, { name: 'backoffice' }],
    });
    await eventually('the users HPA has the new bounds', async () => {
      const autoscaler: V2HorizontalPodAutoscaler = await hpa('users');
      return autoscaler.spec?.minReplicas === 2 && autoscaler.spec.maxReplicas === 6;
    });
    await waitForReady(clients, NAME, 90_000);
    await expect(moduleStatus('users')).resolves.toEqual({ name: 'users', enabled: true, desired: 2, ready: 2 });
  });

  it('removes a module: everything of it is pruned', async () => {
    await setTenantSpec(clients, NAME, {
      ...initialSpec,
      modules: [{ name: 'users', replicas: { min: 2, max: 6 } }, { name: 'reports', enabled: false }, { name: 'backoffice' }],
    });
    await waitForReady(clients, NAME);
    await eventually('files objects pruned', async () => {
      const kinds = await Promise.all([
        names('apps/v1', 'Deployment'),
        names('v1', 'Service'),
        names('autoscaling/v2', 'HorizontalPodAutoscaler'),
        names('policy/v1', 'PodDisruptionBudget'),
      ]);
      return kinds.every((list) => !list.includes('files'));
    });
    const tenant = await readTenant(clients, NAME);
    expect(tenant?.status?.modules?.map((module) => module.name)).toEqual(['gateway', 'auth', 'users', 'reports', 'backoffice']);
  });

  it('restores a managed Deployment deleted by hand', async () => {
    const before = await deployment('auth');
    await clients.apps.deleteNamespacedDeployment({ name: 'auth', namespace: NAMESPACE });
    await eventually('auth Deployment recreated', async () => {
      const after: V1Deployment = await deployment('auth');
      return after.metadata?.uid !== before.metadata?.uid && !after.metadata?.deletionTimestamp;
    });
    await waitForReady(clients, NAME);
  });

  it('restores HPA bounds edited by hand', async () => {
    await clients.autoscaling.patchNamespacedHorizontalPodAutoscaler(
      { name: 'gateway', namespace: NAMESPACE, body: { spec: { minReplicas: 3, maxReplicas: 9 } } },
      MERGE_PATCH,
    );
    await eventually('gateway HPA bounds restored', async () => {
      const current = await hpa('gateway');
      return current.spec?.minReplicas === 1 && current.spec.maxReplicas === 5;
    });
  });

  it('writes nothing when a full resync finds nothing changed', async () => {
    await waitForReady(clients, NAME);
    // Let the status of the last changes settle before counting.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const writesBefore = await metricSum(operator.registry, 'np_operator_api_writes_total');
    const reconcilesBefore = await metricSum(operator.registry, 'controller_runtime_reconcile_total', { controller: 'tenant' });
    const tenants = controller.caches.tenants.list().length;
    controller.resyncAll();
    await eventually('the resync reconciled every Tenant', async () =>
      (await metricSum(operator.registry, 'controller_runtime_reconcile_total', { controller: 'tenant' })) >= reconcilesBefore + tenants,
    );
    expect(await metricSum(operator.registry, 'np_operator_api_writes_total')).toBe(writesBefore);
  });

  it('writes nothing after a restart either, when every object comes from the first list', async () => {
    await operator.stop();
    operator = await startTestOperator();
    controller = (await operator.leading)!;
    const tenants = controller.caches.tenants.list().length;
    await eventually('the restarted operator reconciled every Tenant', async () =>
      (await metricSum(operator.registry, 'controller_runtime_reconcile_total', { controller: 'tenant' })) >= tenants,
    );
    expect(await metricSum(operator.registry, 'np_operator_api_writes_total')).toBe(0);
  });

  it('exposes controller and workqueue metrics named as controller-runtime names them', async () => {
    const text = await operator.registry.metrics();
    for (const name of [
      'controller_runtime_reconcile_total',
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_reconcile_time_seconds',
      'controller_runtime_max_concurrent_reconciles',
      'controller_runtime_active_workers',
      'workqueue_depth',
      'workqueue_adds_total',
      'workqueue_queue_duration_seconds',
      'workqueue_work_duration_seconds',
      'workqueue_retries_total',
      'workqueue_unfinished_work_seconds',
      'workqueue_longest_running_processor_seconds',
    ]) {
      expect(text).toContain(name);
    }
  });

  it('deletes everything of a deleted Tenant, then releases its finalizer', async () => {
    await deleteTenant(clients, NAME);
    await eventually('the namespace is gone', async () => !(await namespaceExists(clients, NAMESPACE)), 90_000);
    await eventually('the Tenant is gone', async () => (await readTenant(clients, NAME)) === undefined);
  });
});

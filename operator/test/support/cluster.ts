import { waitUntil } from '../../../test/harness/child-process.js';
import { join } from 'node:path';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { Tenant, TenantSpec } from '../../src/api/tenant.js';
import { kubeconfigPath, kubectl, repoRoot } from './tools.js';

export const TENANTS = { group: 'platform.np.dev', version: 'v1alpha1', plural: 'tenants' };
export const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** API clients on the admin kubeconfig of the local control plane. */
export function clusterClients() {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath());
  return {
    kubeConfig,
    core: kubeConfig.makeApiClient(CoreV1Api),
    apps: kubeConfig.makeApiClient(AppsV1Api),
    autoscaling: kubeConfig.makeApiClient(AutoscalingV2Api),
    custom: kubeConfig.makeApiClient(CustomObjectsApi),
    extensions: kubeConfig.makeApiClient(ApiextensionsV1Api),
    objects: KubernetesObjectApi.makeApiClient(kubeConfig),
  };
}

export type ClusterClients = ReturnType<typeof clusterClients>;

/** Installs (or updates) the Tenant CRD from crds/ and waits until the API serves it. */
export async function installCrd(clients: ClusterClients): Promise<void> {
  // kubectl, not KubernetesObjectApi: client-node passes built-in kinds through its generated
  // models, which drop keys they do not spell the same way (x-kubernetes-validations, ...).
  kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager', 'np-tests', '-f', join(repoRoot, 'crds/platform.np.dev_tenants.yaml')]);
  await eventually('the Tenant CRD is established', async () => {
    const current = await clients.extensions.readCustomResourceDefinition({ name: 'tenants.platform.np.dev' });
    return current.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True');
  });
}

export function tenantObject(name: string, spec: TenantSpec): Tenant {
  return { apiVersion: 'platform.np.dev/v1alpha1', kind: 'Tenant', metadata: { name }, spec };
}

export async function createTenant(clients: ClusterClients, name: string, spec: TenantSpec): Promise<Tenant> {
  return (await clients.custom.createClusterCustomObject({ ...TENANTS, body: tenantObject(name, spec) })) as Tenant;
}

export async function readTenant(clients: ClusterClients, name: string): Promise<Tenant | undefined> {
  try {
    return (await clients.custom.getClusterCustomObject({ ...TENANTS, name })) as Tenant;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Replaces the spec (a JSON merge patch would merge the modules list element-blind). The operator
 * writes the Tenant's status and finalizers meanwhile: a write that loses that race (409) reads
 * again and retries, as any client of a resource with a controller has to.
 */
export async function setTenantSpec(clients: ClusterClients, name: string, spec: TenantSpec): Promise<Tenant> {
  for (let attempt = 1; ; attempt += 1) {
    const current = await readTenant(clients, name);
    if (!current) throw new Error(`tenant ${name} not found`);
    try {
      return (await clients.custom.replaceClusterCustomObject({ ...TENANTS, name, body: { ...current, spec } })) as Tenant;
    } catch (error) {
      if (!isConflict(error) || attempt === 5) throw error;
    }
  }
}


export async function deleteTenant(clients: ClusterClients, name: string): Promise<void> {
  try {
    await clients.custom.deleteClusterCustomObject({ ...TENANTS, name });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

/** Ready with the conditions computed for the Tenant's latest spec. */
export function isReadyAtGeneration(tenant: Tenant | undefined): boolean {
  if (!tenant) return false;
  const ready = tenant.status?.conditions?.find((condition) => condition.type === 'Ready');
  return (
    tenant.status?.phase === 'Ready' &&
    ready?.status === 'True' &&
    ready.observedGeneration === tenant.metadata.generation &&
    tenant.status.observedGeneration === tenant.metadata.generation
  );
}

export async function waitForReady(clients: ClusterClients, name: string, timeoutMs = 60_000): Promise<Tenant> {
  let last: Tenant | undefined;
  await eventually(
    `tenant ${name} is Ready`,
    async () => {
      last = await readTenant(clients, name);
      return isReadyAtGeneration(last);
    },
    timeoutMs,
    () => JSON.stringify(last?.status),
  );
  return last!;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** 409: the object changed since it was read. */
export function isConflict(error: unknown): boolean {
  return statusOf(error) === 409;
}

function statusOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
}

/**
 * Polls until `check` is truthy (the harness's waitUntil); on timeout the error also carries
 * `describeLast()`, e.g. the status last seen.
 */
export async function eventually(
  what: string,
  check: () => Promise<unknown> | unknown,
  timeoutMs = 60_000,
  describeLast?: () => string,
): Promise<void> {
  try {
    await waitUntil(what, async () => check(), timeoutMs);
  } catch (error) {
    const detail = describeLast?.();
    throw detail ? new Error(`${(error as Error).message}; last seen: ${detail}`) : error;
  }
}

/** Objects of one kind in a namespace, by name. */
export async function namesOf(clients: ClusterClients, apiVersion: string, kind: string, namespace: string): Promise<string[]> {
  const list = await clients.objects.list(apiVersion, kind, namespace);
  return list.items.map((item) => item.metadata?.name ?? '').sort();
}

export async function namespaceExists(clients: ClusterClients, name: string): Promise<boolean> {
  try {
    await clients.core.readNamespace({ name });
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { Counter } from 'prom-client';
import { TENANT_GROUP, TENANT_KIND, TENANT_PLURAL, TENANT_VERSION, type Tenant, type TenantStatus } from '../api/tenant.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The writes the operator makes to Tenants themselves: its finalizer and the status subresource. */
export class TenantApi {
  private readonly api: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly requests?: Counter<'verb' | 'kind'>,
  ) {
    this.api = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /**
   * Replaces the finalizer list, guarded by the resourceVersion read: a concurrent change (another
   * controller's finalizer) fails with 409 and the reconcile retries from fresh state.
   */
  async setFinalizers(tenant: Tenant, finalizers: string[]): Promise<Tenant> {
    this.requests?.inc({ verb: 'patch', kind: TENANT_KIND });
    return (await this.api.patchClusterCustomObject(
      {
        ...this.target(tenant),
        body: { metadata: { finalizers, resourceVersion: tenant.metadata.resourceVersion } },
      },
      MERGE_PATCH,
    )) as Tenant;
  }

  /** Only the operator writes status, so a merge patch without a version precondition is safe. */
  async patchStatus(tenant: Tenant, status: TenantStatus): Promise<Tenant> {
    this.requests?.inc({ verb: 'patch', kind: `${TENANT_KIND}/status` });
    return (await this.api.patchClusterCustomObjectStatus({ ...this.target(tenant), body: { status } }, MERGE_PATCH)) as Tenant;
  }

  private target(tenant: Tenant) {
    return { group: TENANT_GROUP, version: TENANT_VERSION, plural: TENANT_PLURAL, name: tenant.metadata.name };
  }
}

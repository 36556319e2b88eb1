import type { KubernetesObject, V1ObjectMeta } from '@kubernetes/client-node';
import { ALWAYS_ON_MODULE_NAMES, type ModuleName as ManifestModuleName } from '@np/modules';
import type { TenantModule, TenantResource } from './tenant.generated.js';

export type * from './tenant.generated.js';

export const TENANT_GROUP = 'platform.np.dev';
export const TENANT_VERSION = 'v1alpha1';
export const TENANT_API_VERSION = `${TENANT_GROUP}/${TENANT_VERSION}`;
export const TENANT_KIND = 'Tenant';
export const TENANT_PLURAL = 'tenants';

/** A Tenant as the API server returns it. */
export interface Tenant extends KubernetesObject, TenantResource {
  metadata: V1ObjectMeta & { name: string };
}

/** The modules a Tenant may list: the manifest's optional modules, which the CRD's enum must equal (tenant-modules.spec.ts). */
export type OptionalModuleName = TenantModule['name'];
/** Deployed for every tenant, whatever it bought. */
export const ALWAYS_ON_MODULES = ALWAYS_ON_MODULE_NAMES;
export type ModuleName = ManifestModuleName;


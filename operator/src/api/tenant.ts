import type { KubernetesObject, V1ObjectMeta } from '@kubernetes/client-node';
import { ALWAYS_ON_MODULE_NAMES, type ModuleName as ManifestModuleName, type OptionalModuleName as ManifestOptionalModuleName } from '@np/modules';
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

/** The modules a Tenant may list: the CRD's enum, which must be the manifest's optional modules. */
export type OptionalModuleName = TenantModule['name'];
/** Deployed for every tenant, whatever it bought. */
export const ALWAYS_ON_MODULES = ALWAYS_ON_MODULE_NAMES;
export type ModuleName = ManifestModuleName;

// Compile-time half of the check in tenant-modules.spec.ts: the CRD enum and the manifest agree.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const CRD_ENUM_MATCHES_MANIFEST: Same<OptionalModuleName, ManifestOptionalModuleName> = true;

import type { KubernetesObject, V1ObjectMeta } from '@kubernetes/client-node';
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

export type OptionalModuleName = TenantModule['name'];
/** Deployed for every tenant, whatever it bought. */
export const ALWAYS_ON_MODULES = ['gateway', 'auth'] as const;
export type ModuleName = OptionalModuleName | (typeof ALWAYS_ON_MODULES)[number];

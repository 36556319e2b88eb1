import type { Tenant, TenantSpec } from '../api/tenant.js';
import type { RenderSettings } from '../settings.js';

export const renderSettings: RenderSettings = {
  imageRegistry: 'registry.example/np',
  defaultImageTag: '1.2.3',
  namespacePrefix: 'tenant-',
  operatorNamespace: 'np-system',
  keda: true,
  scalerPollingSeconds: 2,
  coldStartMs: 30_000,
};

/** A Tenant as the API server would hand it over, for unit tests. */
export function tenant(spec: Omit<TenantSpec, 'adminEmail'> & { adminEmail?: string }, name = 'acme'): Tenant {
  return {
    apiVersion: 'platform.np.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name, uid: 'uid-1', generation: 3, resourceVersion: '10' },
    spec: { adminEmail: `admin@${name}.example`, ...spec },
  };
}

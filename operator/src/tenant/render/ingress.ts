import type { KubernetesObject } from '@kubernetes/client-node';
import { moduleLabels, ownedMetadata } from '../labels.js';
import type { TenantPlan } from '../tenant-plan.js';

/** The public entry to the tenant's gateway, when the Tenant asks for one. */
export function renderIngress(plan: TenantPlan): KubernetesObject | undefined {
  if (!plan.ingress) return undefined;
  const { host, tlsSecretName } = plan.ingress;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: ownedMetadata(plan, 'gateway', moduleLabels(plan, 'gateway')),
    spec: {
      ...(tlsSecretName ? { tls: [{ hosts: [host], secretName: tlsSecretName }] } : {}),
      rules: [
        {
          host,
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'gateway', port: { name: 'http' } } } },
            ],
          },
        },
      ],
    },
  } as KubernetesObject;
}

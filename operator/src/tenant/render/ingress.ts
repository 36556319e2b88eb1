import type { KubernetesObject } from '@kubernetes/client-node';
import { moduleLabels, ownedMetadata } from '../labels.js';
import type { TenantPlan } from '../tenant-plan.js';

/** The public entry to the tenant's gateway, when the Tenant asks for one. */
/**
 * The tenant's public address: what its clients call, what its signed file links and the
 * gateway's OpenAPI name. Undefined without an ingress.
 */
export function publicUrlOf(plan: TenantPlan): string | undefined {
  const { ingress } = plan;
  return ingress ? `${ingress.tlsSecretName ? 'https' : 'http'}://${ingress.host}` : undefined;
}

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

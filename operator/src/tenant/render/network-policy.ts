import type { KubernetesObject } from '@kubernetes/client-node';
import { MODULE_LABEL, TENANT_GROUP, ownedMetadata, tenantLabels } from '../labels.js';
import { DATA_LISTENERS, PUBLIC_EGRESS_MODULES } from '@np/modules';
import type { TenantPlan } from '../tenant-plan.js';

/** Addresses no module may call even with public egress: private, link-local (cloud metadata), loopback, shared. */
const NON_PUBLIC_RANGES = {
  ipv4: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10', '127.0.0.0/8'],
  ipv6: ['fc00::/7', 'fe80::/10', '::1/128'],
};

/** Namespaces running shared infrastructure (PostgreSQL, RabbitMQ, S3, the identity provider). */
export const INFRASTRUCTURE_NAMESPACE_LABEL = `${TENANT_GROUP}/infrastructure`;
/** Namespaces allowed to scrape the modules' metrics. */
export const MONITORING_NAMESPACE_LABEL = `${TENANT_GROUP}/monitoring`;

/**
 * Default deny in both directions, then one policy per opening: DNS, the shared infrastructure, the
 * public entry to the gateway, the gateway to its modules, the tenant's pods to the data listeners
 * (reports writes its exports into files), public addresses for the modules that call them (the
 * form builder's webhooks), and metrics scraping. Nothing of one tenant can reach another tenant's
 * pods.
 */
export function renderNetworkPolicies(plan: TenantPlan): KubernetesObject[] {
  const gateway = { matchLabels: { [MODULE_LABEL]: 'gateway' } };
  // Named container ports (module-workload.ts): the same names on every module.
  const opsPort = { protocol: 'TCP', port: 'ops' };
  return [
    policy(plan, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy(plan, 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    policy(plan, 'allow-infrastructure', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { [INFRASTRUCTURE_NAMESPACE_LABEL]: 'true' } } }] }],
    }),
    policy(plan, 'allow-gateway-ingress', {
      podSelector: gateway,
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: 'http' }] }],
    }),
    policy(plan, 'allow-gateway-to-modules', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: gateway }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
    policy(plan, 'allow-tenant-to-data-listeners', {
      podSelector: modules(DATA_LISTENERS.map((listener) => listener.name)),
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 'http' }] }],
    }),
    policy(plan, 'allow-public-egress', {
      podSelector: modules(PUBLIC_EGRESS_MODULES),
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            { ipBlock: { cidr: '0.0.0.0/0', except: NON_PUBLIC_RANGES.ipv4 } },
            { ipBlock: { cidr: '::/0', except: NON_PUBLIC_RANGES.ipv6 } },
          ],
        },
      ],
    }),
    policy(plan, 'allow-monitoring', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { [MONITORING_NAMESPACE_LABEL]: 'true' } } }],
          ports: [opsPort],
        },
      ],
    }),
  ];
}

function modules(names: readonly string[]): Record<string, unknown> {
  return { matchExpressions: [{ key: MODULE_LABEL, operator: 'In', values: [...names] }] };
}

function policy(plan: TenantPlan, name: string, spec: Record<string, unknown>): KubernetesObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMetadata(plan, name, tenantLabels(plan)),
    spec,
  } as KubernetesObject;
}

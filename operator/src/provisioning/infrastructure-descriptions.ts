import { tenantDatabase } from '../infrastructure/database/index.js';
import { tenantRealmName } from '../infrastructure/identity/index.js';
import { tenantVhost } from '../infrastructure/messaging/index.js';
import { tenantBucketName } from '../infrastructure/object-store/index.js';
import type { InfrastructureKind } from '../infrastructure/provisioner.js';
import type { TenantPlan } from '../tenant/tenant-plan.js';

/** What a person reads in a Tenant's conditions and Events about its share of each server. */

export const NOT_CONFIGURED: Readonly<Record<InfrastructureKind, string>> = {
  messaging: "no RabbitMQ in the operator's settings (NP_AMQP_MANAGEMENT_URL, NP_AMQP_URL)",
  database: "no PostgreSQL in the operator's settings (NP_DATABASE_URL)",
  objectStore: "no S3 server in the operator's settings (NP_S3_URL, NP_S3_ACCESS_KEY, NP_S3_SECRET_KEY)",
  identity: "no Keycloak in the operator's settings (NP_KEYCLOAK_URL, NP_KEYCLOAK_ADMIN, NP_KEYCLOAK_ADMIN_PASSWORD)",
};

/** The tenant's share of a kind's server, by name: `vhost tenant-acme and its users`. */
export function tenantShare(plan: TenantPlan, kind: InfrastructureKind, organizationRealm?: string): string {
  switch (kind) {
    case 'messaging':
      return `vhost ${tenantVhost(plan.name)} and its users`;
    case 'database':
      return `database ${tenantDatabase(plan.name)} and its roles`;
    case 'objectStore':
      return `bucket ${tenantBucketName(plan.name)} with its objects and its keys`;
    case 'identity':
      return plan.identityMode === 'organization'
        ? `organization ${plan.name}${organizationRealm ? ` in realm ${organizationRealm}` : ''} and its users`
        : `realm ${tenantRealmName(plan.name)}`;
  }
}

export function describeKind(plan: TenantPlan, kind: InfrastructureKind, action: 'ensure' | 'remove', organizationRealm?: string): string {
  const share = tenantShare(plan, kind, organizationRealm);
  return action === 'ensure' ? `${share} in place` : `${share} removed`;
}

import type { KubernetesObject } from '@kubernetes/client-node';
import type { ModuleName } from '@np/modules';
import type { IdentitySpec } from '../infrastructure/identity/index.js';
import type { InfrastructureKind } from '../infrastructure/provisioner.js';
import type { TenantPlan } from '../tenant/tenant-plan.js';
import { connectionsSecretName, INITIAL_ADMIN_SECRET_NAME } from '../tenant/secret-names.js';
import { QUEUE_MONITOR_NAME, usesKeda } from '../tenant/render/module-scaling.js';
import { kindsNeeded, renderConnectionsSecret, renderInitialAdminSecret, renderQueueMonitorSecret } from './connection-secrets.js';
import type { InfrastructureServers } from './infrastructure-settings.js';
import type { Credentials } from './tenant-credentials.js';
import type { InfrastructureReport } from './tenant-infrastructure.js';

export interface SecretPlan {
  /** Secrets to apply, each rendered from infrastructure provisioned in this reconcile. */
  render: { module?: ModuleName; secret: KubernetesObject }[];
  /** Secrets left as they are: their kinds failed this time, but what they hold was provisioned before. */
  keep: string[];
  /** Enabled modules that have no connections Secret and cannot get one yet, with the kinds they wait for. */
  waiting: Map<ModuleName, InfrastructureKind[]>;
}

/**
 * Which Secrets a reconcile writes. A module's Secret is rendered when every kind it needs was
 * provisioned in this reconcile; when one failed, an existing Secret stays (its credentials still
 * work: a server being down does not stop running pods), and a module without one is not started.
 */
export function planSecrets(
  plan: TenantPlan,
  credentials: Credentials,
  report: InfrastructureReport,
  servers: InfrastructureServers,
  identity: IdentitySpec | undefined,
  exists: (name: string) => boolean,
): SecretPlan {
  const result: SecretPlan = { render: [], keep: [], waiting: new Map() };
  for (const module of plan.modules) {
    const name = connectionsSecretName(module.name);
    const failed = kindsNeeded(module.name).filter((kind) => !report[kind].ok);
    if (failed.length === 0 && identity) {
      result.render.push({ module: module.name, secret: renderConnectionsSecret(module.name, { plan, credentials, servers, identity }) });
    } else if (exists(name)) {
      result.keep.push(name);
    } else if (module.enabled) {
      result.waiting.set(module.name, failed);
    }
  }
  if (report.identity.ok) result.render.push({ secret: renderInitialAdminSecret(plan, credentials) });
  else if (exists(INITIAL_ADMIN_SECRET_NAME)) result.keep.push(INITIAL_ADMIN_SECRET_NAME);
  // KEDA's login to the management API, while a module scales on its queues.
  if (usesKeda(plan, plan.scaling)) {
    if (report.messaging.ok) result.render.push({ secret: renderQueueMonitorSecret(plan, credentials, servers) });
    else if (exists(QUEUE_MONITOR_NAME)) result.keep.push(QUEUE_MONITOR_NAME);
  }
  return result;
}

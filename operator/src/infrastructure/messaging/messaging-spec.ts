import type { ModuleName } from '@np/modules';
import { assertAccount, assertDistinct } from '../account-rules.js';
import type { Account } from '../provisioner.js';

/** One process that talks on the tenant's bus (the gateway or a bus module) and the user it connects as. */
export interface MessagingModuleAccount {
  module: ModuleName;
  account: Account;
}

/** Bounds on what the tenant's processes can pile up in the broker. */
export interface MessagingLimits {
  /** Queues the vhost may hold (RabbitMQ's vhost limit `max-queues`). */
  maxQueues: number;
  /** Messages a queue may hold; publishing to a full queue is refused (`overflow: reject-publish`). */
  maxLength: number;
  /** Deliveries of a message from a quorum queue before it is dead-lettered. */
  deliveryLimit: number;
}

export interface MessagingSpec {
  tenant: string;
  /** `tenant-<name>` (see `tenantVhost`). */
  vhost: string;
  /** Every process that uses the bus: the gateway and each enabled bus module. */
  modules: readonly MessagingModuleAccount[];
  /** Read-only user for queue depth (autoscaling): sees the vhost's queues and can do nothing else. */
  monitor: Account;
  limits?: MessagingLimits;
}

/**
 * Enough for every module's request, event and dead-letter queue plus one broadcast queue per
 * replica; a ceiling of 20 deliveries sits above the transport's own retry limit (5), which a
 * queue declares itself (the lower of the two applies).
 */
export const DEFAULT_MESSAGING_LIMITS: MessagingLimits = { maxQueues: 200, maxLength: 50_000, deliveryLimit: 20 };

export function tenantVhost(tenant: string): string {
  return `tenant-${tenant}`;
}

/** A spec a caller built wrong is a programming error, not a server's refusal. */
export function assertMessagingSpec(spec: MessagingSpec): void {
  if (spec.vhost === '') throw new Error('MessagingSpec.vhost is empty');
  assertDistinct([...spec.modules.map((entry) => entry.account.username), spec.monitor.username], 'MessagingSpec users');
  assertDistinct(spec.modules.map((entry) => entry.module), 'MessagingSpec modules');
  for (const entry of spec.modules) assertAccount(entry.account, `MessagingSpec module ${entry.module}`);
  assertAccount(spec.monitor, 'MessagingSpec monitor');
  for (const [key, value] of Object.entries(spec.limits ?? DEFAULT_MESSAGING_LIMITS)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`MessagingSpec.limits.${key} must be a positive integer`);
  }
}

import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import type { ModuleName, ModuleStatus, Tenant, TenantCondition, TenantStatus } from '../api/tenant.js';
import type { InfrastructureKind } from '../infrastructure/provisioner.js';
import type { InfrastructureReport } from '../provisioning/tenant-infrastructure.js';
import { isAsleep, scalingVerdict, type ScalingObservation } from './scaling-status.js';
import { enabledModules, type ModulePlan, type TenantPlan } from './tenant-plan.js';

export type { ModuleStatus };

export type TenantPhase = 'Provisioning' | 'Ready' | 'Degraded' | 'Deleting';

/** What the reconcile observed, from the caches and its own writes. */
export interface Observation {
  namespace?: KubernetesObject & { status?: { phase?: string } };
  deployments: ReadonlyMap<string, V1Deployment>;
  ingressApplied: boolean;
  /** Messages of writes that failed in this reconcile. */
  errors: string[];
  /** Set when the namespace exists but was not created by the operator for this Tenant. */
  namespaceNotOwned?: string;
  /** How each kind of server fared in this reconcile; absent when it was not attempted (the namespace is not usable). */
  infrastructure?: InfrastructureReport;
  /** Enabled modules not started because their connections Secret is missing, with the kinds they wait for. */
  waitingForConnections?: ReadonlyMap<ModuleName, readonly InfrastructureKind[]>;
  /** The ScaledObjects and HPAs as cached, for the scaling condition; absent: not looked at. */
  scaling?: ScalingObservation;
}

/** The condition of each kind of server, in the order they are listed. */
export const INFRASTRUCTURE_CONDITIONS: Readonly<Record<InfrastructureKind, string>> = {
  messaging: 'MessagingReady',
  database: 'DatabaseReady',
  objectStore: 'StorageReady',
  identity: 'IdentityReady',
};

interface ConditionInput {
  type: string;
  ok: boolean;
  reason: string;
  message: string;
}

/** The status a Tenant should show. `lastTransitionTime` only moves when a condition's status does. */
export function computeStatus(plan: TenantPlan, observed: Observation, now = new Date()): TenantStatus {
  const generation = plan.tenant.metadata.generation ?? 0;
  const modules = moduleStatuses(plan, observed.deployments);
  const enabled = enabledModules(plan);
  const readyCount = modules.filter((module) => module.enabled && module.ready >= module.desired).length;
  const previous = plan.tenant.status?.conditions ?? [];
  const workload = [namespaceCondition(plan, observed), appliedCondition(observed)];
  const infrastructure = infrastructureConditions(observed, previous);
  const serving = [modulesCondition(modules, observed), ingressCondition(plan, observed)];
  // Ready names the first concern in the order a person would fix them: the namespace, what could
  // not be written, the servers, then what is still starting.
  const failing = [...workload, ...infrastructure, ...serving].find((condition) => !condition.ok);
  const ready: ConditionInput = failing
    ? { type: 'Ready', ok: false, reason: failing.reason, message: failing.message }
    : { type: 'Ready', ok: true, reason: 'TenantReady', message: `${enabled.length} modules ready` };
  const scaling = scalingCondition(plan, observed);
  const concerns = [...workload, ...serving, ...infrastructure, scaling];
  return {
    observedGeneration: generation,
    phase: phaseOf(observed, failing, infrastructure, scaling),
    namespace: plan.namespace,
    enabledModules: enabled.map((module) => module.name).join(','),
    readyModules: `${readyCount}/${enabled.length}`,
    conditions: [ready, ...concerns].map((condition) => toCondition(condition, generation, previous, now)),
    modules,
  };
}

/**
 * Scaling does not make a tenant unready (its modules run the replicas they have) but a tenant
 * whose modules cannot scale as asked is Degraded.
 */
function scalingCondition(plan: TenantPlan, observed: Observation): ConditionInput {
  const started = (module: ModulePlan) => !observed.waitingForConnections?.has(module.name);
  const verdict = scalingVerdict(plan, started, observed.scaling ?? { scaledObjects: new Map(), autoscalers: new Map() });
  return { type: 'ScalingReady', ...verdict };
}

function phaseOf(observed: Observation, failing: ConditionInput | undefined, infrastructure: readonly ConditionInput[], scaling: ConditionInput): TenantPhase {
  if (observed.errors.length > 0 || observed.namespaceNotOwned) return 'Degraded';
  if (!failing && !scaling.ok && observed.scaling) return 'Degraded';
  if (infrastructure.some((condition) => !condition.ok && condition.reason !== 'Pending')) return 'Degraded';
  return failing ? 'Provisioning' : 'Ready';
}

/**
 * One condition per kind of server: what this reconcile's provisioning said, or, when it did not
 * get that far, what the previous one said (Pending for a new Tenant).
 */
function infrastructureConditions(observed: Observation, previous: readonly TenantCondition[]): ConditionInput[] {
  return (Object.entries(INFRASTRUCTURE_CONDITIONS) as [InfrastructureKind, string][]).map(([kind, type]) => {
    const outcome = observed.infrastructure?.[kind];
    if (outcome?.ok) return { type, ok: true, reason: 'Provisioned', message: outcome.message };
    if (outcome) return { type, ok: false, reason: outcome.reason, message: outcome.message };
    const before = previous.find((condition) => condition.type === type);
    if (before) return { type, ok: before.status === 'True', reason: before.reason, message: before.message };
    return { type, ok: false, reason: 'Pending', message: 'not provisioned yet: the namespace is not ready' };
  });
}

/** Each module's part of the status, from its Deployment. */
export function moduleStatuses(plan: TenantPlan, deployments: ReadonlyMap<string, V1Deployment>): ModuleStatus[] {
  return plan.modules.map((module) => moduleStatus(module, deployments.get(module.name), plan));
}

/** A module is ready when its Deployment has seen its latest spec and runs the replicas asked for. */
function moduleStatus(module: ModulePlan, deployment: V1Deployment | undefined, plan: TenantPlan): ModuleStatus {
  const current = deployment?.status?.observedGeneration === deployment?.metadata?.generation;
  const desired = module.enabled ? Math.max(module.minReplicas, deployment?.spec?.replicas ?? 0) : 0;
  const ready = current ? Math.min(deployment?.status?.readyReplicas ?? 0, deployment?.status?.updatedReplicas ?? 0) : 0;
  const asleep = isAsleep(module, plan, deployment?.spec?.replicas);
  return { name: module.name, enabled: module.enabled, desired, ready, ...(asleep ? { asleep } : {}) };
}

function namespaceCondition(plan: TenantPlan, observed: Observation): ConditionInput {
  if (observed.namespaceNotOwned) return { type: 'NamespaceReady', ok: false, reason: 'NotOwned', message: observed.namespaceNotOwned };
  const phase = observed.namespace?.status?.phase;
  if (phase === 'Active') return { type: 'NamespaceReady', ok: true, reason: 'NamespaceActive', message: `namespace ${plan.namespace} is active` };
  if (phase === 'Terminating') {
    return { type: 'NamespaceReady', ok: false, reason: 'NamespaceTerminating', message: `namespace ${plan.namespace} is being deleted; waiting for it to go` };
  }
  return { type: 'NamespaceReady', ok: false, reason: 'NamespacePending', message: `namespace ${plan.namespace} is being created` };
}

function appliedCondition(observed: Observation): ConditionInput {
  if (observed.errors.length === 0) return { type: 'ResourcesApplied', ok: true, reason: 'Applied', message: 'every object matches the Tenant' };
  return { type: 'ResourcesApplied', ok: false, reason: 'ApplyFailed', message: observed.errors.join('; ') };
}

function modulesCondition(modules: ModuleStatus[], observed: Observation): ConditionInput {
  const unconnected = [...(observed.waitingForConnections ?? [])];
  if (unconnected.length > 0) {
    const list = unconnected.map(([module, kinds]) => `${module} (${kinds.map((kind) => INFRASTRUCTURE_CONDITIONS[kind]).join(', ')})`).join(', ');
    return { type: 'ModulesReady', ok: false, reason: 'ConnectionsPending', message: `not started until their connections Secret exists: ${list}` };
  }
  const waiting = modules.filter((module) => module.enabled && module.ready < module.desired);
  if (waiting.length === 0) return { type: 'ModulesReady', ok: true, reason: 'ModulesAvailable', message: 'every enabled module runs its replicas' };
  const list = waiting.map((module) => `${module.name} ${module.ready}/${module.desired}`).join(', ');
  return { type: 'ModulesReady', ok: false, reason: 'ModulesProgressing', message: `waiting for ${list}` };
}

function ingressCondition(plan: TenantPlan, observed: Observation): ConditionInput {
  if (!plan.ingress) return { type: 'IngressReady', ok: true, reason: 'NotRequested', message: 'the Tenant has no ingress' };
  if (observed.ingressApplied) return { type: 'IngressReady', ok: true, reason: 'Configured', message: `routes ${plan.ingress.host} to the gateway` };
  return { type: 'IngressReady', ok: false, reason: 'IngressPending', message: `the ingress for ${plan.ingress.host} is not in place yet` };
}

function toCondition(input: ConditionInput, generation: number, previous: readonly TenantCondition[], now: Date): TenantCondition {
  const status = input.ok ? 'True' : 'False';
  const before = previous.find((condition) => condition.type === input.type);
  return {
    type: input.type,
    status,
    observedGeneration: generation,
    lastTransitionTime: before?.status === status ? before.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    reason: input.reason,
    message: input.message,
  };
}

/** Whether writing `next` would change anything a person or a tool can see. */
export function statusChanged(tenant: Tenant, next: TenantStatus): boolean {
  return JSON.stringify(normalise(tenant.status)) !== JSON.stringify(normalise(next));
}

function normalise(status: TenantStatus | undefined): unknown {
  if (!status) return undefined;
  return {
    observedGeneration: status.observedGeneration,
    phase: status.phase,
    namespace: status.namespace,
    enabledModules: status.enabledModules,
    readyModules: status.readyModules,
    conditions: (status.conditions ?? []).map((c) => [c.type, c.status, c.observedGeneration, c.lastTransitionTime, c.reason, c.message]),
    modules: (status.modules ?? []).map((m) => [m.name, m.enabled, m.desired, m.ready, m.asleep ?? false]),
  };
}

import type { KubernetesObject } from '@kubernetes/client-node';
import { scaledByKeda } from './render/module-scaling.js';
import type { ModulePlan, TenantPlan } from './tenant-plan.js';

interface StatusCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}
/** A ScaledObject or an HPA as cached: only its conditions (and KEDA's HPA name) are read. */
export type WithConditions = KubernetesObject & { status?: { conditions?: StatusCondition[]; hpaName?: string } };

/** What the scaling condition reads: each module's ScaledObject, and the HPAs (KEDA's among them), by name. */
export interface ScalingObservation {
  scaledObjects: ReadonlyMap<string, WithConditions>;
  autoscalers: ReadonlyMap<string, WithConditions>;
}

export interface ScalingVerdict {
  ok: boolean;
  reason: string;
  message: string;
}

/**
 * The HPA says why it cannot compute a scale. `ScalingDisabled` is the normal state of a module
 * asleep at zero (the HPA waits for KEDA to wake it); any other reason for `ScalingActive: False`
 * (FailedGetExternalMetric: KEDA's metrics API or operator do not answer) means nobody scales the
 * module now: it keeps the replicas it has.
 */
const HPA_IDLE_REASONS = new Set(['ScalingDisabled']);

/**
 * Whether each module that should scale on its queues does. When KEDA is not installed, or its
 * ScaledObject is not Ready, or its HPA gets no metrics, the module keeps its current replicas
 * (no lost request: they wait in its queue) but the Tenant says scaling is degraded.
 */
export function scalingVerdict(plan: TenantPlan, started: (module: ModulePlan) => boolean, observed: ScalingObservation): ScalingVerdict {
  const queued = plan.modules.filter((module) => module.enabled && module.queueScaling && started(module));
  if (queued.length === 0) return { ok: true, reason: 'CpuOnly', message: 'every module scales on CPU' };
  if (!plan.scaling.keda) {
    return { ok: false, reason: 'KedaNotInstalled', message: `KEDA is not installed: ${names(queued)} scale on CPU only, and never to zero` };
  }
  const problems = queued.flatMap((module) => moduleProblem(module, observed));
  if (problems.length > 0) return { ok: false, reason: 'ScalingDegraded', message: `${problems.join('; ')}; these modules keep their current replicas` };
  return { ok: true, reason: 'ScalersReady', message: `KEDA scales ${names(queued)} on their queues` };
}

function moduleProblem(module: ModulePlan, observed: ScalingObservation): string[] {
  const scaledObject = observed.scaledObjects.get(module.name);
  if (!scaledObject) return [`${module.name}: its ScaledObject is not created yet`];
  const ready = condition(scaledObject, 'Ready');
  if (ready?.status !== 'True') return [`${module.name}: KEDA has not accepted its ScaledObject${ready?.message ? ` (${ready.message})` : ''}`];
  const hpa = observed.autoscalers.get(scaledObject.status?.hpaName ?? `keda-hpa-${module.name}`);
  const active = hpa && condition(hpa, 'ScalingActive');
  if (active?.status === 'False' && !HPA_IDLE_REASONS.has(active.reason ?? '')) {
    return [`${module.name}: KEDA's metrics are unavailable (${active.reason}: ${active.message ?? ''})`];
  }
  return [];
}

function condition(object: WithConditions, type: string): StatusCondition | undefined {
  return object.status?.conditions?.find((candidate) => candidate.type === type);
}

function names(modules: readonly ModulePlan[]): string {
  return modules.map((module) => module.name).join(', ');
}

/** A module KEDA put to sleep: it may sleep, it runs, and its Deployment is at zero. */
export function isAsleep(module: ModulePlan, plan: TenantPlan, replicas: number | undefined): boolean {
  return module.enabled && scaledByKeda(module, plan.scaling) && module.queueScaling?.idleSeconds !== undefined && replicas === 0;
}

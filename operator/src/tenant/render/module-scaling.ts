import type { KubernetesObject } from '@kubernetes/client-node';
import { escapeRegex } from '@np/messaging';
import { moduleLabels, moduleSelector, ownedMetadata, tenantLabels } from '../labels.js';
import type { ModulePlan, TenantPlan } from '../tenant-plan.js';

/** KEDA's API; served only where KEDA is installed. */
export const KEDA_API_VERSION = 'keda.sh/v1alpha1';
/** The TriggerAuthentication and Secret through which KEDA reads the tenant's queues as its monitoring user. */
export const QUEUE_MONITOR_NAME = 'queue-monitor';
/** Where a module waits before scaling in from N, once it has scaled out. KEDA's default is 300 s. */
const QUEUE_COOLDOWN_SECONDS = 300;
/** How long a module just created stays up before it may sleep the first time. */
const INITIAL_COOLDOWN_SECONDS = 120;

export type ScalingSettings = TenantPlan['scaling'];

/** Whether KEDA scales this module: it has queue settings and KEDA is installed; otherwise the operator's CPU HPA does. */
export function scaledByKeda(module: ModulePlan, settings: ScalingSettings): boolean {
  return module.queueScaling !== undefined && settings.keda;
}

/**
 * The module's autoscaler, one owner only: a KEDA ScaledObject (which creates and owns its HPA)
 * for a module scaling on its queues, the operator's CPU HPA otherwise. A disabled module, or one
 * not started yet, has none.
 */
export function renderAutoscaler(plan: TenantPlan, module: ModulePlan, settings: ScalingSettings, started = module.enabled): KubernetesObject | undefined {
  if (!started) return undefined;
  return scaledByKeda(module, settings) ? renderScaledObject(plan, module, settings) : renderHorizontalPodAutoscaler(plan, module);
}

/** Scales a running module between its bounds on CPU use. */
export function renderHorizontalPodAutoscaler(plan: TenantPlan, module: ModulePlan): KubernetesObject {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: ownedMetadata(plan, module.name, moduleLabels(plan, module.name)),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: module.name },
      minReplicas: Math.max(1, module.minReplicas),
      maxReplicas: module.maxReplicas,
      metrics: [cpuMetric(module)],
    },
  } as KubernetesObject;
}

function cpuMetric(module: ModulePlan) {
  return { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: module.cpuUtilization } } };
}

/**
 * KEDA scales the module on the messages waiting in its request queue and its event queue
 * (`rpc.<module>`, `events.<module>`; one regex trigger, summed, so a module that subscribes to
 * no events has no queue to miss) read from the management API as the tenant's monitoring user.
 * Queue depth is the load of a module reached over the bus, and the only metric of its HPA: when
 * KEDA does not answer, that HPA says so (ScalingActive false) and changes nothing, where a CPU
 * metric beside it would keep scaling it on half the picture. With an idle period, the module sleeps at zero once both queues have stayed empty
 * that long (KEDA's cooldown), and the first message wakes it (activation above 0): 0↔1 is
 * KEDA's own, 1↔N the HPA it creates. A request waits in the durable queue meanwhile.
 */
export function renderScaledObject(plan: TenantPlan, module: ModulePlan, settings: ScalingSettings): KubernetesObject {
  const scaling = module.queueScaling!;
  return {
    apiVersion: KEDA_API_VERSION,
    kind: 'ScaledObject',
    metadata: ownedMetadata(plan, module.name, moduleLabels(plan, module.name)),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: module.name },
      pollingInterval: settings.scalerPollingSeconds,
      cooldownPeriod: scaling.idleSeconds ?? QUEUE_COOLDOWN_SECONDS,
      // A new module runs a while before it may sleep: long enough to start once and declare its
      // event subscriptions, so the events published while it sleeps wait in its queue for it.
      initialCooldownPeriod: Math.max(INITIAL_COOLDOWN_SECONDS, scaling.idleSeconds ?? 0),
      minReplicaCount: module.minReplicas,
      maxReplicaCount: module.maxReplicas,
      triggers: [
        {
          type: 'rabbitmq',
          name: 'queues',
          metadata: {
            protocol: 'http',
            mode: 'QueueLength',
            value: String(scaling.depthPerReplica),
            activationValue: '0',
            vhostName: plan.vhost,
            queueName: `^(rpc|events)\\.${escapeRegex(module.name)}$`,
            useRegex: 'true',
            operation: 'sum',
          },
          authenticationRef: { name: QUEUE_MONITOR_NAME },
        },
      ],
    },
  } as KubernetesObject;
}

/** KEDA reads the management API's address and login (`host`) from the tenant's queue-monitor Secret. */
export function renderQueueMonitorAuthentication(plan: TenantPlan): KubernetesObject {
  return {
    apiVersion: KEDA_API_VERSION,
    kind: 'TriggerAuthentication',
    metadata: ownedMetadata(plan, QUEUE_MONITOR_NAME, tenantLabels(plan)),
    spec: { secretTargetRef: [{ parameter: 'host', name: QUEUE_MONITOR_NAME, key: 'host' }] },
  } as KubernetesObject;
}

/** Whether any module of the tenant scales through KEDA now (and so needs the queue monitor). */
export function usesKeda(plan: TenantPlan, settings: ScalingSettings): boolean {
  return plan.modules.some((module) => module.enabled && scaledByKeda(module, settings));
}

/** Node drains take at most one replica of a module at a time, once it may have more than one. */
export function renderPodDisruptionBudget(plan: TenantPlan, module: ModulePlan, started = module.enabled): KubernetesObject | undefined {
  if (!started || module.maxReplicas <= 1) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: ownedMetadata(plan, module.name, moduleLabels(plan, module.name)),
    spec: { maxUnavailable: 1, selector: { matchLabels: moduleSelector(plan, module.name) } },
  } as KubernetesObject;
}

import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import { planTenant } from './tenant-plan.js';
import { computeStatus } from './tenant-status.js';
import { scalingVerdict } from './scaling-status.js';
import { renderSettings, tenant } from './test-tenant.js';

const sleepy = { name: 'reports' as const, autoscaling: { queueDepthPerReplica: 20, idleScaleToZeroAfter: '30s' } };
const plan = planTenant(tenant({ modules: [sleepy, { name: 'users' }] }), renderSettings);
const always = () => true;

function withConditions(name: string, conditions: object[], extra: object = {}): KubernetesObject {
  return { metadata: { name }, status: { conditions, ...extra } } as KubernetesObject;
}
const readyScaledObject = withConditions('reports', [{ type: 'Ready', status: 'True' }], { hpaName: 'keda-hpa-reports' });

describe('the scaling condition', () => {
  it('is ready when KEDA accepted the ScaledObject and its HPA gets metrics, asleep included', () => {
    const asleepHpa = withConditions('keda-hpa-reports', [{ type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled' }]);
    const verdict = scalingVerdict(plan, always, { scaledObjects: new Map([['reports', readyScaledObject]]), autoscalers: new Map([['keda-hpa-reports', asleepHpa]]) });
    expect(verdict).toMatchObject({ ok: true, reason: 'ScalersReady' });
  });

  it('is degraded when KEDA\'s metrics do not answer, or it has not accepted the ScaledObject, naming the module', () => {
    const blind = withConditions('keda-hpa-reports', [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetExternalMetric', message: 'unable to get external metric' }]);
    const noMetrics = scalingVerdict(plan, always, { scaledObjects: new Map([['reports', readyScaledObject]]), autoscalers: new Map([['keda-hpa-reports', blind]]) });
    expect(noMetrics).toMatchObject({ ok: false, reason: 'ScalingDegraded' });
    expect(noMetrics.message).toContain('reports: KEDA\'s metrics are unavailable (FailedGetExternalMetric');
    expect(noMetrics.message).toContain('keep their current replicas');
    const refused = scalingVerdict(plan, always, { scaledObjects: new Map([['reports', withConditions('reports', [{ type: 'Ready', status: 'False', message: 'queue not found' }])]]), autoscalers: new Map() });
    expect(refused.message).toContain('KEDA has not accepted its ScaledObject (queue not found)');
    expect(scalingVerdict(plan, always, { scaledObjects: new Map(), autoscalers: new Map() }).message).toContain('not created yet');
  });

  it('says when KEDA is not installed, and that nothing to scale on queues is fine', () => {
    const withoutKeda = planTenant(tenant({ modules: [sleepy] }), { ...renderSettings, keda: false });
    expect(scalingVerdict(withoutKeda, always, { scaledObjects: new Map(), autoscalers: new Map() })).toMatchObject({ ok: false, reason: 'KedaNotInstalled' });
    const cpuOnly = planTenant(tenant({ modules: [{ name: 'users' }] }), renderSettings);
    expect(scalingVerdict(cpuOnly, always, { scaledObjects: new Map(), autoscalers: new Map() })).toMatchObject({ ok: true, reason: 'CpuOnly' });
  });

  it('shows a module at zero as asleep, desired 0, and the tenant Degraded (still serving) while scaling is', () => {
    const deployment = (name: string, replicas: number): [string, V1Deployment] => [
      name,
      { metadata: { name, generation: 1 }, spec: { replicas, selector: {}, template: {} }, status: { observedGeneration: 1, readyReplicas: replicas, updatedReplicas: replicas } },
    ];
    const deployments = new Map([deployment('gateway', 1), deployment('auth', 1), deployment('users', 1), deployment('reports', 0)]);
    const observed = { namespace: { metadata: { name: 'tenant-acme' }, status: { phase: 'Active' } }, deployments, ingressApplied: false, errors: [] };
    const asleep = computeStatus(plan, { ...observed, scaling: { scaledObjects: new Map([['reports', readyScaledObject]]), autoscalers: new Map() } });
    expect(asleep.modules).toContainEqual({ name: 'reports', enabled: true, desired: 0, ready: 0, asleep: true });
    expect(asleep.modules).toContainEqual({ name: 'users', enabled: true, desired: 1, ready: 1 });
    const degraded = computeStatus(plan, { ...observed, scaling: { scaledObjects: new Map(), autoscalers: new Map() } });
    expect(degraded.conditions?.find((condition) => condition.type === 'ScalingReady')).toMatchObject({ status: 'False', reason: 'ScalingDegraded' });
  });
});

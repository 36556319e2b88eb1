import { describe, expect, it } from '@jest/globals';
import type { V1Deployment } from '@kubernetes/client-node';
import type { InfrastructureReport } from '../provisioning/tenant-infrastructure.js';
import { planTenant } from './tenant-plan.js';
import { computeStatus, statusChanged } from './tenant-status.js';
import { renderSettings, tenant } from './test-tenant.js';

function deployment(name: string, ready: number, replicas = ready, current = true): [string, V1Deployment] {
  return [
    name,
    {
      metadata: { name, generation: 2 },
      spec: { replicas, selector: {}, template: {} },
      status: { observedGeneration: current ? 2 : 1, readyReplicas: ready, updatedReplicas: ready },
    },
  ];
}

const active = { metadata: { name: 'tenant-acme' }, status: { phase: 'Active' } };
const plan = planTenant(tenant({ modules: [{ name: 'users', replicas: { min: 2, max: 3 } }, { name: 'reports', enabled: false }] }), renderSettings);
const now = new Date('2026-11-25T10:00:00Z');
const provisioned: InfrastructureReport = {
  messaging: { ok: true, message: 'vhost tenant-acme and its users in place' },
  database: { ok: true, message: 'database tenant_acme and its roles in place' },
  objectStore: { ok: true, message: 'bucket tenant-acme with its objects and its keys in place' },
  identity: { ok: true, message: 'realm tenant-acme in place' },
};
const running = new Map([deployment('gateway', 1), deployment('auth', 1), deployment('users', 2)]);

describe('computeStatus', () => {
  it('is Ready when every enabled module runs its minimum', () => {
    const status = computeStatus(
      plan,
      {
        namespace: active,
        deployments: new Map([deployment('gateway', 1), deployment('auth', 1), deployment('users', 2), deployment('reports', 0, 0)]),
        ingressApplied: false,
        errors: [],
        infrastructure: provisioned,
      },
      now,
    );
    expect(status.conditions?.map((condition) => [condition.type, condition.status])).toEqual([
      ['Ready', 'True'],
      ['NamespaceReady', 'True'],
      ['ResourcesApplied', 'True'],
      ['ModulesReady', 'True'],
      ['IngressReady', 'True'],
      ['MessagingReady', 'True'],
      ['DatabaseReady', 'True'],
      ['StorageReady', 'True'],
      ['IdentityReady', 'True'],
      ['ScalingReady', 'True'],
    ]);
    expect(status).toMatchObject({ phase: 'Ready', observedGeneration: 3, readyModules: '3/3', enabledModules: 'gateway,auth,users' });
    expect(status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'True', observedGeneration: 3, lastTransitionTime: '2026-11-25T10:00:00Z' });
    expect(status.modules).toContainEqual({ name: 'reports', enabled: false, desired: 0, ready: 0 });
  });

  it('is Provisioning and names what it waits for', () => {
    const status = computeStatus(
      plan,
      { namespace: active, deployments: new Map([deployment('gateway', 1), deployment('auth', 1, 1, false), deployment('users', 1, 2)]), ingressApplied: false, errors: [] },
      now,
    );
    expect(status.phase).toBe('Provisioning');
    expect(status.conditions?.find((condition) => condition.type === 'ModulesReady')?.message).toBe('waiting for auth 0/1, users 1/2');
  });

  it('is Degraded when writes failed, with the errors in ResourcesApplied', () => {
    const status = computeStatus(plan, { namespace: active, deployments: new Map(), ingressApplied: false, errors: ['Deployment users: quota exceeded'] }, now);
    expect(status.phase).toBe('Degraded');
    expect(status.conditions?.find((condition) => condition.type === 'ResourcesApplied')).toMatchObject({ status: 'False', reason: 'ApplyFailed', message: 'Deployment users: quota exceeded' });
  });

  it('says so while the namespace is terminating or missing', () => {
    const terminating = computeStatus(plan, { namespace: { metadata: {}, status: { phase: 'Terminating' } }, deployments: new Map(), ingressApplied: false, errors: [] }, now);
    expect(terminating.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'NamespaceTerminating' });
    const missing = computeStatus(plan, { deployments: new Map(), ingressApplied: false, errors: [] }, now);
    expect(missing.conditions?.[0]?.reason).toBe('NamespacePending');
  });

  it('keeps lastTransitionTime while a condition keeps its status, so an unchanged status is not rewritten', () => {
    const observed = { namespace: active, deployments: running, ingressApplied: false, errors: [], infrastructure: provisioned };
    const first = computeStatus(plan, observed, now);
    const withStatus = { ...plan, tenant: { ...plan.tenant, status: first } };
    const second = computeStatus(withStatus, observed, new Date('2026-11-25T11:00:00Z'));
    expect(second.conditions?.[0]?.lastTransitionTime).toBe('2026-11-25T10:00:00Z');
    expect(statusChanged(withStatus.tenant, second)).toBe(false);
    expect(statusChanged(plan.tenant, second)).toBe(true);
  });

  it('reports the ingress once it is in place', () => {
    const withIngress = planTenant(tenant({ ingress: { host: 'api.acme.example.com' } }), renderSettings);
    const pending = computeStatus(withIngress, { namespace: active, deployments: new Map(), ingressApplied: false, errors: [] }, now);
    expect(pending.conditions?.find((condition) => condition.type === 'IngressReady')?.status).toBe('False');
    const done = computeStatus(withIngress, { namespace: active, deployments: new Map(), ingressApplied: true, errors: [] }, now);
    expect(done.conditions?.find((condition) => condition.type === 'IngressReady')?.reason).toBe('Configured');
  });

  it("is Degraded when a server refuses, with the server's words in its condition and in Ready; the other kinds stay True", () => {
    const refused: InfrastructureReport = {
      ...provisioned,
      objectStore: { ok: false, reason: 'ServerUnavailable', message: 'versitygw at http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1' },
    };
    const status = computeStatus(plan, { namespace: active, deployments: running, ingressApplied: false, errors: [], infrastructure: refused }, now);
    expect(status.phase).toBe('Degraded');
    expect(status.conditions?.find((condition) => condition.type === 'StorageReady')).toMatchObject({ status: 'False', reason: 'ServerUnavailable', message: expect.stringContaining('ECONNREFUSED') });
    expect(status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'ServerUnavailable', message: expect.stringContaining('ECONNREFUSED') });
    expect(status.conditions?.find((condition) => condition.type === 'MessagingReady')?.status).toBe('True');
  });

  it('names the modules not started for want of their connections, and the conditions they wait for', () => {
    const status = computeStatus(
      plan,
      { namespace: active, deployments: running, ingressApplied: false, errors: [], infrastructure: provisioned, waitingForConnections: new Map([['users', ['database']]]) },
      now,
    );
    expect(status.conditions?.find((condition) => condition.type === 'ModulesReady')).toMatchObject({
      status: 'False',
      reason: 'ConnectionsPending',
      message: 'not started until their connections Secret exists: users (DatabaseReady)',
    });
  });

  it('refuses a namespace it did not create, and keeps the previous infrastructure conditions when it did not get that far', () => {
    const before = computeStatus(plan, { namespace: active, deployments: running, ingressApplied: false, errors: [], infrastructure: provisioned }, now);
    const withStatus = { ...plan, tenant: { ...plan.tenant, status: before } };
    const status = computeStatus(withStatus, { deployments: new Map(), ingressApplied: false, errors: [], namespaceNotOwned: 'namespace tenant-acme exists and was not created by the operator' }, now);
    expect(status.phase).toBe('Degraded');
    expect(status.conditions?.[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'NotOwned' });
    expect(status.conditions?.find((condition) => condition.type === 'IdentityReady')).toMatchObject({ status: 'True', message: 'realm tenant-acme in place' });
    const fresh = computeStatus(plan, { deployments: new Map(), ingressApplied: false, errors: [] }, now);
    expect(fresh.conditions?.find((condition) => condition.type === 'DatabaseReady')).toMatchObject({ status: 'False', reason: 'Pending' });
    expect(fresh.phase).toBe('Provisioning');
  });
});

// Scaling with traffic on the real node: a module that may sleep (the form builder) is scaled by
// KEDA on the depth of its queues, goes to zero pods when idle, and is woken by the first request
// that waits in its queue: through the ingress, every request answered exactly once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tenant, TenantSpec } from '../../operator/src/api/tenant.js';
import { clusterClients, createTenant, eventually, readTenant, setTenantSpec, waitForReady } from '../../operator/test/support/cluster.js';
import { kubectl, repoRoot } from '../../operator/test/support/tools.js';
import type { ApiClient } from '../harness/http-client.js';
import { installPlatform, kubectlJson, nodeSettings, podsOf, secretValues, tenantClient } from './support.js';

const NAME = 'sleepy';
const NAMESPACE = `tenant-${NAME}`;
const HOST = 'sleepy.node.test';
const MODULE = 'form-builder';
const IDLE = '30s';
const STARTUP_MS = 300_000;
/** Requests kept waiting at once while the module wakes and until it scales out. */
const IN_FLIGHT = 100;
/** Long enough for the idle period, KEDA's next poll and the pod's termination. */
const SLEEP_MS = 180_000;

const SPEC: TenantSpec = {
  adminEmail: `admin@${HOST}`,
  ingress: { host: HOST },
  // One client address and one user send every request here.
  rateLimits: { perAddressPerMinute: 1_000_000, perUserPerMinute: 1_000_000 },
  modules: [{ name: MODULE, replicas: { min: 0, max: 3 }, autoscaling: { queueDepthPerReplica: 5, idleScaleToZeroAfter: IDLE } }],
};

const clients = clusterClients();
let api: ApiClient;
let token: string;
let formId: string;

interface Submission {
  id: string;
}

function deploymentReplicas(): number {
  return kubectlJson<{ spec?: { replicas?: number } }>(['-n', NAMESPACE, 'get', 'deployment', MODULE]).spec?.replicas ?? 0;
}

/** When KEDA last saw messages waiting for the module (its ScaledObject's `lastActiveTime`), in ms; 0 before it ever did. */
function lastActive(): number {
  const time = kubectlJson<{ status?: { lastActiveTime?: string } }>(['-n', NAMESPACE, 'get', 'scaledobject', MODULE]).status?.lastActiveTime;
  return time ? Date.parse(time) : 0;
}

function modulePods(): number {
  return podsOf(NAMESPACE).filter((pod) => pod.module === MODULE && !pod.deleting).length;
}

async function moduleStatus(): Promise<{ desired: number; ready: number; asleep?: boolean } | undefined> {
  return (await readTenant(clients, NAME))?.status?.modules?.find((module) => module.name === MODULE);
}

function scalingCondition(tenant: Tenant | undefined) {
  return tenant?.status?.conditions?.find((condition) => condition.type === 'ScalingReady');
}

async function login(): Promise<void> {
  const admin = secretValues(NAMESPACE, 'initial-admin');
  await eventually('the initial admin logs in', async () => {
    token = (await api.login(admin.email!, admin.password!)).access_token;
    return true;
  }, 60_000);
}

interface Answer {
  status: number;
  /** The error's `code` when it was refused. */
  code?: string;
  id?: string;
  ms: number;
}

async function submit(label: string): Promise<Answer> {
  const started = Date.now();
  const answer = await api.request<Submission & { code?: string }>('POST', `/v1/forms/${formId}/submissions`, { token, json: { data: { label } } });
  const ms = Date.now() - started;
  return answer.status === 201 ? { status: 201, id: answer.body.id, ms } : { status: answer.status, code: answer.body.code, ms };
}

/** The refused answers, each as "status code after N ms": an empty list when every one was stored. */
function refusals(answers: Answer[]): string[] {
  return answers.filter((answer) => answer.status !== 201).map((answer) => `${answer.status} ${answer.code ?? ''} after ${answer.ms} ms`);
}

async function asleep(): Promise<void> {
  await eventually('the module is asleep: no pod, status asleep', async () => modulePods() === 0 && (await moduleStatus())?.asleep === true, SLEEP_MS);
}

/** Every submission of the form, through the API. */
async function storedSubmissions(): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.request<{ items: Submission[]; nextCursor: string | null }>('GET', `/v1/forms/${formId}/submissions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(page.status).toBe(200);
    ids.push(...page.body.items.map((item) => item.id));
    cursor = page.body.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

/** The KEDA processes frozen (SIGSTOP) and thawed: stopped for the cluster, started again at once. */
function signalKeda(signal: 'STOP' | 'CONT'): void {
  for (const component of ['keda-operator', 'keda-adapter']) {
    const pid = readFileSync(join(repoRoot, '.local/cluster', `${component}.pid`), 'utf8').trim();
    process.kill(Number(pid), `SIG${signal}`);
  }
}

beforeAll(async () => {
  nodeSettings();
  installPlatform();
  if (await readTenant(clients, NAME)) kubectl(['delete', 'tenant', NAME, '--wait=true', '--timeout=180s']);
  await createTenant(clients, NAME, SPEC);
  await waitForReady(clients, NAME, STARTUP_MS);
  api = tenantClient(HOST);
  await eventually('the tenant answers through the ingress', async () => (await api.request('GET', '/readyz')).status === 200, 60_000);
  await login();
  const form = await api.request<{ id: string }>('POST', '/v1/forms', {
    token,
    json: { name: 'Wake-up', dataSchema: { type: 'object', properties: { label: { type: 'string', maxLength: 40 } }, required: ['label'], additionalProperties: false } },
  });
  expect(form.status).toBe(201);
  formId = form.body.id;
  expect((await api.request('POST', `/v1/forms/${formId}/versions`, { token })).status).toBe(201);
}, STARTUP_MS + 180_000);

afterAll(async () => {
  signalKeda('CONT');
  const left = await readTenant(clients, NAME);
  if (left) {
    await setTenantSpec(clients, NAME, { ...left.spec, deletionPolicy: 'Delete' });
    kubectl(['delete', 'tenant', NAME, '--wait=false']);
  }
});

describe('scaling with traffic (KEDA)', () => {
  it('gives the module one owner of its replicas: a ScaledObject on its queues, and no HPA of the operator\'s', () => {
    const scaled = kubectlJson<{ spec: { minReplicaCount: number; cooldownPeriod: number; triggers: { type: string; metadata: Record<string, string> }[] } }>(['-n', NAMESPACE, 'get', 'scaledobject', MODULE]);
    expect(scaled.spec).toMatchObject({ minReplicaCount: 0, cooldownPeriod: 30 });
    expect(scaled.spec.triggers[0]).toMatchObject({ type: 'rabbitmq', metadata: { vhostName: NAMESPACE, mode: 'QueueLength', value: '5' } });
    const hpas = kubectlJson<{ items: { metadata: { name: string; ownerReferences?: { kind: string }[] } }[] }>(['-n', NAMESPACE, 'get', 'hpa']).items;
    const owners = new Map(hpas.map((hpa) => [hpa.metadata.name, hpa.metadata.ownerReferences?.[0]?.kind]));
    expect(owners.has(MODULE)).toBe(false);
    expect(owners.get(`keda-hpa-${MODULE}`)).toBe('ScaledObject');
    expect(owners.get('gateway')).toBe('Tenant');
  });

  it('sleeps at zero pods when idle, and one request through the ingress wakes it and is answered', async () => {
    await asleep();
    expect((await moduleStatus())).toMatchObject({ desired: 0, ready: 0, asleep: true });
    expect(scalingCondition(await readTenant(clients, NAME))).toMatchObject({ status: 'True' });
    const answer = await submit('the first after sleep');
    process.stdout.write(`woken and answered in ${answer.ms} ms\n`);
    expect(answer.status).toBe(201);
    expect(deploymentReplicas()).toBeGreaterThanOrEqual(1);
    await eventually('one pod runs and the status says awake', async () => modulePods() >= 1 && (await moduleStatus())?.asleep === undefined, 60_000);
    // Deactivated is not asleep: the gateway refuses instead of waking it.
    expect((await api.request('GET', '/v1/users', { token })).body).toMatchObject({ code: 'module_not_enabled' });
  }, SLEEP_MS + 120_000);

  it('answers every request sent at zero, while waking, scaling out and scaling in, each exactly once', async () => {
    const before = new Set(await storedSubmissions());
    await asleep();
    let maxReplicas = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxReplicas = Math.max(maxReplicas, deploymentReplicas());
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    })();
    const sent: Promise<Answer>[] = [];
    try {
      // At zero, then while the first pod starts and after: IN_FLIGHT requests at a time, each
      // answer sending the next, so the queue stays deep until its depth has scaled the module out
      // past one. One burst is not enough: a single pod drains 150 queued requests in about two
      // seconds, before the HPA's next sync (every 10 s here) has seen them.
      const deadline = Date.now() + 90_000;
      let burst = 0;
      const keepDeep = async () => {
        while (maxReplicas <= 1 && Date.now() < deadline) {
          const answer = submit(`burst ${(burst += 1)}`);
          sent.push(answer);
          await answer;
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, keepDeep));
      expect(maxReplicas).toBeGreaterThan(1);
      // While it scales back in (the HPA's stabilisation, then KEDA's cooldown to zero).
      for (let index = 0; index < 30; index += 1) {
        sent.push(submit(`scaling in ${index}`));
        await new Promise((resolve) => setTimeout(resolve, 1500));
      }
    } finally {
      sampling = false;
      await sampler;
    }
    const answers = await Promise.all(sent);
    const slowest = Math.max(...answers.map((answer) => answer.ms));
    process.stdout.write(`${answers.length} requests: slowest answer ${slowest} ms, most replicas ${maxReplicas}\n`);
    expect(refusals(answers)).toEqual([]);
    expect(answers.length).toBeGreaterThanOrEqual(IN_FLIGHT + 30);
    const ids = answers.map((answer) => answer.id!);
    expect(new Set(ids).size).toBe(answers.length);
    const stored = (await storedSubmissions()).filter((id) => !before.has(id));
    expect(stored.sort()).toEqual([...ids].sort());
    expect(maxReplicas).toBeGreaterThan(1);
  }, SLEEP_MS + 300_000);

  it('with KEDA stopped keeps the replicas it has, loses nothing, and says scaling is degraded', async () => {
    // KEDA must have seen the module busy just before it stops: otherwise its cooldown may end at
    // that very moment, and a module it has put to zero stays there until KEDA is back (waking a
    // module is KEDA's job; the gateway only holds the request for the cold start budget).
    const busySince = Math.floor(Date.now() / 1000) * 1000;
    await eventually('KEDA sees the module busy', async () => {
      const answers = await Promise.all(Array.from({ length: 40 }, (_, index) => submit(`before KEDA stops ${index}`)));
      expect(refusals(answers)).toEqual([]);
      return lastActive() >= busySince;
    }, 60_000);
    signalKeda('STOP');
    try {
      await eventually('the Tenant says scaling is degraded', async () => scalingCondition(await readTenant(clients, NAME))?.status === 'False', 120_000);
      const tenant = await readTenant(clients, NAME);
      expect(scalingCondition(tenant)).toMatchObject({ reason: 'ScalingDegraded' });
      expect(tenant?.status?.phase).toBe('Degraded');
      // Read once KEDA's HPA has lost its metrics: a change it began just before the freeze is done.
      await eventually('a pod runs', () => modulePods() >= 1, 60_000);
      const replicas = deploymentReplicas();
      expect(replicas).toBeGreaterThanOrEqual(1);
      const answers = await Promise.all(Array.from({ length: 20 }, (_, index) => submit(`KEDA stopped ${index}`)));
      expect(refusals(answers)).toEqual([]);
      // Past the idle period: nobody scales the module to zero while KEDA is away.
      await new Promise((resolve) => setTimeout(resolve, 40_000));
      expect(deploymentReplicas()).toBe(replicas);
    } finally {
      signalKeda('CONT');
    }
    await eventually('scaling recovers once KEDA runs again', async () => scalingCondition(await readTenant(clients, NAME))?.status === 'True', 120_000);
  }, 420_000);
});

// The cluster shape for real: the operator installed by the Helm chart from its image, a Tenant's
// pods started from the service images on the real node (tools/cluster-up.sh without --kwok), Ready
// through the kubelet's probes, and every request coming in through the ingress controller
// (Traefik) at NP_INGRESS_URL with the tenant's host.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { clusterClients, eventually, namespaceExists, readTenant, setTenantSpec, waitForReady } from '../../operator/test/support/cluster.js';
import { kubectl, repoRoot } from '../../operator/test/support/tools.js';
import type { ApiClient } from '../harness/http-client.js';
import { bridgePorts, installPlatform, kubectlJson, nodeContainersOf, nodeSettings, podsOf, secretValues, tenantClient } from './support.js';

const MANIFEST = join(repoRoot, 'manifests/tenant-minimal.yaml');
const tenant = parse(readFileSync(MANIFEST, 'utf8')) as { metadata: { name: string }; spec: { ingress: { host: string }; adminEmail: string } };
const NAME = tenant.metadata.name;
const NAMESPACE = `tenant-${NAME}`;
const STARTUP_MS = 300_000;

const clients = clusterClients();
let api: ApiClient;
let adminToken: string;

async function login(email: string, password: string): Promise<string> {
  return (await api.login(email, password)).access_token;
}

/** The realm's access tokens live 5 minutes, less than this suite: each test logs in again. */
async function loginAdmin(): Promise<string> {
  const initial = secretValues(NAMESPACE, 'initial-admin');
  adminToken = await login(initial.email!, initial.password!);
  return adminToken;
}

function hpaDesired(module: string): number {
  return kubectlJson<{ status?: { desiredReplicas?: number } }>(['-n', NAMESPACE, 'get', 'hpa', module]).status?.desiredReplicas ?? 0;
}

function readyPods(module: string): number {
  return podsOf(NAMESPACE).filter((pod) => pod.module === module && pod.ready && !pod.deleting).length;
}

beforeAll(async () => {
  nodeSettings();
  installPlatform();
  kubectl(['apply', '-f', MANIFEST]);
  await waitForReady(clients, NAME, STARTUP_MS);
  api = tenantClient(tenant.spec.ingress.host);
  // Traefik picks the Ingress up from its watch; the first answer can take a moment.
  await eventually('the tenant answers through the ingress', async () => (await api.request('GET', '/readyz')).status === 200, 60_000);
}, STARTUP_MS + 120_000);

afterAll(async () => {
  if (await readTenant(clients, NAME)) kubectl(['delete', 'tenant', NAME, '--wait=false']);
});

describe('a Tenant on the real node', () => {
  it('runs every module from its image, Ready through the kubelet probes', () => {
    const pods = podsOf(NAMESPACE);
    expect(pods.map((pod) => pod.module).sort()).toEqual(['auth', 'gateway', 'users']);
    for (const pod of pods) {
      expect(pod).toMatchObject({ phase: 'Running', ready: true, node: nodeSettings().nodeName });
      expect(pod.image).toMatch(new RegExp(`/${pod.module}:`));
    }
    const operator = podsOf('np-system');
    expect(operator.length).toBeGreaterThan(0);
    expect(operator.every((pod) => pod.ready && pod.image.includes('/operator:'))).toBe(true);
  });

  it('logs in the initial admin, who creates a user that then logs in', async () => {
    expect(secretValues(NAMESPACE, 'initial-admin').email).toBe(tenant.spec.adminEmail);
    await loginAdmin();

    const email = `member-${Date.now()}@${tenant.spec.ingress.host}`;
    const created = await api.request<{ id: string; email: string }>('POST', '/v1/users', {
      token: adminToken,
      json: { email, password: 'member-password-1', displayName: 'Member One', roles: ['member'] },
    });
    expect(created.status).toBe(201);
    const read = await api.request<{ id: string; email: string }>('GET', `/v1/users/${created.body.id}`, { token: adminToken });
    expect(read.status).toBe(200);
    expect(read.body.email).toBe(email);

    const memberToken = await login(email, 'member-password-1');
    const me = await api.request<{ email: string }>('GET', '/v1/auth/me', { token: memberToken });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(email);
  });

  it('answers errors by the contract through the ingress', async () => {
    expect((await api.request('GET', '/v1/users')).body).toMatchObject({ code: 'token_missing' });
    const malformed = await api.request('POST', '/v1/users', { token: adminToken, rawBody: '{"email":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ code: 'invalid_json' });
  });

  it('a disabled module answers 404 module_not_enabled and has no pods; enabled again, it serves', async () => {
    await loginAdmin();
    const spec = structuredClone((await readTenant(clients, NAME))!.spec);
    await setTenantSpec(clients, NAME, { ...spec, modules: [{ name: 'users', enabled: false }] });
    await eventually('users answers module_not_enabled', async () => {
      const answer = await api.request<{ code: string }>('GET', '/v1/users', { token: adminToken });
      return answer.status === 404 && answer.body.code === 'module_not_enabled';
    }, 180_000);
    await eventually('the users pods are gone', () => podsOf(NAMESPACE).every((pod) => pod.module !== 'users'), 120_000);

    await setTenantSpec(clients, NAME, spec);
    await eventually('users serves again', async () => (await api.request('GET', '/v1/users', { token: adminToken })).status === 200, 180_000);
    expect(readyPods('users')).toBe(1);
  }, 480_000);

  it('replaces a pod killed by hand and loses no request beyond the ones in flight', async () => {
    await loginAdmin();
    const victim = podsOf(NAMESPACE).find((pod) => pod.module === 'users' && pod.ready)!;
    const statuses: number[] = [];
    let running = true;
    const reader = (async () => {
      while (running) statuses.push((await api.request('GET', '/v1/users?limit=1', { token: adminToken })).status);
    })();
    await eventually('a few reads before the kill', () => statuses.length >= 5, 30_000);
    kubectl(['-n', NAMESPACE, 'delete', 'pod', victim.name, '--grace-period=0', '--force']);
    await eventually('a new users pod is Ready', () => podsOf(NAMESPACE).some((pod) => pod.module === 'users' && pod.ready && pod.name !== victim.name), 180_000);
    const afterReplacement = statuses.length;
    await eventually('reads go on after the replacement', () => statuses.length >= afterReplacement + 5, 60_000);
    running = false;
    await reader;
    // One reader, one request at a time: at most the one in flight when the pod died may fail.
    expect(statuses.filter((status) => status !== 200).length).toBeLessThanOrEqual(1);
  }, 300_000);

  it('scales the gateway out under load through the ingress (CPU, metrics-server), and back in after it', async () => {
    // One client and one user here: the default limits (1200 per address, 600 per user and
    // minute) would answer most of the load with 429. The change restarts the gateway.
    const spec = structuredClone((await readTenant(clients, NAME))!.spec);
    await setTenantSpec(clients, NAME, { ...spec, rateLimits: { perAddressPerMinute: 10_000_000, perUserPerMinute: 10_000_000 } });
    await waitForReady(clients, NAME, 180_000);
    await eventually('one new gateway serves', async () => readyPods('gateway') === 1 && podsOf(NAMESPACE).filter((pod) => pod.module === 'gateway').length === 1, 180_000);
    const token = await loginAdmin();
    // Sixteen clients one request after another: far above 70 % of the gateway's 250m CPU request.
    let running = true;
    let answered = 0;
    const client = async () => {
      while (running) {
        await api.request('GET', '/v1/users?limit=20', { token });
        answered += 1;
      }
    };
    const loaders = Array.from({ length: 16 }, client);
    try {
      await eventually('the gateway HPA asks for more than one replica', () => hpaDesired('gateway') > 1, 240_000);
      await eventually('a second gateway pod is Ready', () => readyPods('gateway') > 1, 180_000);
    } finally {
      running = false;
      await Promise.all(loaders);
    }
    expect(answered).toBeGreaterThan(0);
    await eventually('back to one gateway after the load', () => hpaDesired('gateway') === 1 && readyPods('gateway') === 1, 300_000);
  }, 720_000);

  it('deleted, leaves nothing of the tenant on the node', async () => {
    const portsBefore = bridgePorts().length;
    const tenantPods = podsOf(NAMESPACE).length;
    kubectl(['delete', 'tenant', NAME, '--wait=false']);
    await eventually('the tenant namespace is gone', async () => !(await namespaceExists(clients, NAMESPACE)), 240_000);
    await eventually('no container of the tenant on the node', () => nodeContainersOf(NAMESPACE).length === 0, 60_000);
    await eventually('the pods\' network interfaces are gone', () => bridgePorts().length === portsBefore - tenantPods, 60_000);
    const ingresses = kubectlJson<{ items: unknown[] }>(['get', 'ingress', '-A']).items;
    expect(ingresses).toEqual([]);
  }, 360_000);
});

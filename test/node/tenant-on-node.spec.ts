// The cluster shape for real: the operator installed by the Helm chart from its image, a Tenant's
// pods started from the service images on the real node (tools/cluster-up.sh without --kwok), Ready
// through the kubelet's probes, and every request coming in through the ingress controller
// (Traefik) at NP_INGRESS_URL with the tenant's host.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormData } from 'undici';
import { parse } from 'yaml';
import { clusterClients, eventually, namespaceExists, readTenant, setTenantSpec, waitForReady } from '../../operator/test/support/cluster.js';
import { bucketExists, databaseExists, vhostExists } from '../../operator/test/support/servers.js';
import { kubectl, repoRoot } from '../../operator/test/support/tools.js';
import type { ApiClient } from '../harness/http-client.js';
import { ingressFetch } from '../harness/ingress-fetch.js';
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

/**
 * The realm's access tokens live 5 minutes, less than this suite: each test logs in again, once
 * the gateway answers (after a rollout the ingress may still try the old pod for a moment).
 */
async function loginAdmin(): Promise<string> {
  const initial = secretValues(NAMESPACE, 'initial-admin');
  await eventually('the initial admin logs in', async () => {
    adminToken = await login(initial.email!, initial.password!);
    return true;
  }, 60_000);
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
  // A failed run leaves nothing behind for the next one either: Delete takes the servers' share too.
  const left = await readTenant(clients, NAME);
  if (left) {
    await setTenantSpec(clients, NAME, { ...left.spec, deletionPolicy: 'Delete' });
    kubectl(['delete', 'tenant', NAME, '--wait=false']);
  }
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
    // The first request may wait in the queue and be answered by the new pod before it is Ready.
    await eventually('users serves again', async () => (await api.request('GET', '/v1/users', { token: adminToken })).status === 200, 180_000);
    await eventually('one users pod Ready', () => readyPods('users') === 1, 120_000);
  }, 480_000);

  it('serves files through the ingress: the gateway reaches the files Service by its name (CoreDNS, kube-proxy)', async () => {
    await loginAdmin();
    const spec = structuredClone((await readTenant(clients, NAME))!.spec);
    await setTenantSpec(clients, NAME, { ...spec, modules: [...(spec.modules ?? []), { name: 'files' }] });
    // The gateway restarts with the new module list: wait for the rollout to end.
    await waitForReady(clients, NAME, 180_000);
    await eventually('one gateway, with files', async () => {
      const gateways = podsOf(NAMESPACE).filter((pod) => pod.module === 'gateway');
      return gateways.length === 1 && gateways[0]!.ready && (await api.request('GET', '/v1/files', { token: adminToken })).status === 200;
    }, 180_000);

    try {
      // Text: the default allow-list takes it, and its type is sniffed the same way on every run.
      const bytes = Buffer.from(randomBytes(128 * 1024).toString('hex'));
      // undici's FormData: the ingress fetch is undici's, which encodes only its own as multipart.
      const form = new FormData();
      form.set('file', new Blob([bytes], { type: 'text/plain' }), 'node.txt');
      const fetcher = ingressFetch(nodeSettings().ingressUrl);
      const upload = await fetcher(`${api.baseUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, body: form });
      expect(upload.status).toBe(201);
      const file = (await upload.json()) as { id: string; size: number; sha256: string };
      expect(file).toMatchObject({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });

      const whole = await fetcher(`${api.baseUrl}/v1/files/${file.id}/content`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(whole.status).toBe(200);
      expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);
      const part = await fetcher(`${api.baseUrl}/v1/files/${file.id}/content`, { headers: { authorization: `Bearer ${adminToken}`, range: 'bytes=-100' } });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes ${bytes.length - 100}-${bytes.length - 1}/${bytes.length}`);
      expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(bytes.length - 100))).toBe(true);

      // Forwarding is on for the node's bridge only, and our table drops whatever would leave it.
      const rules = execFileSync('nft', ['list', 'table', 'inet', 'np-node'], { encoding: 'utf8' });
      expect(rules).toMatch(/iifname "np-node0" oifname != "np-node0" drop/);
      expect(rules).toMatch(/oifname "np-node0" iifname != "np-node0" drop/);
    } finally {
      // The suite's later tests count the tenant's pods without files.
      await setTenantSpec(clients, NAME, spec);
    }
    await waitForReady(clients, NAME, 180_000);
    await eventually('the files pods are gone', () => podsOf(NAMESPACE).every((pod) => pod.module !== 'files'), 120_000);
  }, 420_000);

  it('replaces a pod killed by hand and loses no request beyond the ones in flight', async () => {
    await loginAdmin();
    const victim = podsOf(NAMESPACE).find((pod) => pod.module === 'users' && pod.ready);
    expect(victim).toBeDefined();
    const statuses: number[] = [];
    let running = true;
    const reader = (async () => {
      while (running) statuses.push((await api.request('GET', '/v1/users?limit=1', { token: adminToken })).status);
    })();
    try {
      await eventually('a few reads before the kill', () => statuses.length >= 5, 30_000);
      kubectl(['-n', NAMESPACE, 'delete', 'pod', victim!.name, '--grace-period=0', '--force']);
      await eventually('a new users pod is Ready', () => podsOf(NAMESPACE).some((pod) => pod.module === 'users' && pod.ready && pod.name !== victim!.name), 180_000);
      const afterReplacement = statuses.length;
      await eventually('reads go on after the replacement', () => statuses.length >= afterReplacement + 5, 60_000);
    } finally {
      running = false;
      await reader;
    }
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
    expect(readyPods('gateway')).toBe(1);
    // Sixteen clients one request after another, half of them reading users, half the OpenAPI
    // document: the gateway's own work (no bus), so its CPU passes 70 % of its 250m request
    // whatever the speed of the modules and the database on the same two cores.
    let running = true;
    let answered = 0;
    const client = async (_: unknown, index: number) => {
      while (running) {
        const answer = index % 2 === 0 ? await api.request('GET', '/v1/users?limit=20', { token }) : await api.request('GET', '/docs/openapi.json');
        if (answer.status === 200) answered += 1;
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

  it('deleted with deletionPolicy Delete, leaves nothing of the tenant on the node or the servers', async () => {
    const spec = structuredClone((await readTenant(clients, NAME))!.spec);
    await setTenantSpec(clients, NAME, { ...spec, deletionPolicy: 'Delete' });
    await waitForReady(clients, NAME, 120_000);
    const portsBefore = bridgePorts().length;
    const tenantPods = podsOf(NAMESPACE).length;
    kubectl(['delete', 'tenant', NAME, '--wait=false']);
    await eventually('the tenant namespace is gone', async () => !(await namespaceExists(clients, NAMESPACE)), 240_000);
    await eventually('the Tenant is gone', async () => (await readTenant(clients, NAME)) === undefined, 120_000);
    await eventually('no container of the tenant on the node', () => nodeContainersOf(NAMESPACE).length === 0, 60_000);
    await eventually("the pods' network interfaces are gone", () => bridgePorts().length === portsBefore - tenantPods, 60_000);
    expect(kubectlJson<{ items: unknown[] }>(['get', 'ingress', '-A']).items).toEqual([]);
    expect(await vhostExists(NAMESPACE)).toBe(false);
    expect(await databaseExists(`tenant_${NAME.replaceAll('-', '_')}`)).toBe(false);
    expect(await bucketExists(NAMESPACE)).toBe(false);
  }, 360_000);
});

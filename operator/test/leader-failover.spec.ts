import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CoordinationV1Api, type KubernetesObject } from '@kubernetes/client-node';
import type { ChildProcess } from 'node:child_process';
import { startNode, stopChild } from '../../test/harness/child-process.js';
import { freePort } from '../../test/harness/free-port.js';
import { scrape, sumSamples } from '../../test/harness/prometheus.js';
import {
  clusterClients,
  createTenant,
  deleteTenant,
  eventually,
  installCrd,
  isReadyAtGeneration,
  namespaceExists,
  readTenant,
  type ClusterClients,
} from './support/cluster.js';
import { keycloakHand } from './support/servers.js';
import { kubeconfigPath } from './support/tools.js';

const LEASE = `np-operator-failover-${Date.now()}`;
const RUN = Date.now().toString(36);
const ORGANIZATION_SECRET = randomBytes(24).toString('base64url');
const TENANTS = Array.from({ length: 20 }, (_, index) => `failover-${RUN}-${String(index).padStart(2, '0')}`);
// Each Tenant now costs its servers work too (on a loaded 2-core machine a renewal can take
// seconds): client-go's own ratios at half its timings.
const LEASE_MS = 8000;
/** The Tenants share one realm (organization mode): 20 realms would measure Keycloak, not failover. */
const SHARED_REALM = `np-failover-${RUN}`;

interface Replica {
  identity: string;
  port: number;
  process: ChildProcess;
  /** Set before the suite stops it: otherwise an exit is followed by a restart. */
  stopped: boolean;
}

/**
 * A replica that exits is started again after a pause, as its Deployment would: a replica that
 * loses its lease exits on purpose (on a loaded machine both can miss a renewal), and the suite
 * must see the platform recover, not wait for a process nobody restarts. The pause is longer than
 * the lease, so a killed leader comes back only after the standby took over.
 */
const RESTART_AFTER_MS = 2 * LEASE_MS;

let clients: ClusterClients;
let leases: CoordinationV1Api;
const replicas = new Map<string, Replica>();

async function startReplica(identity: string): Promise<Replica> {
  const replica: Replica = { identity, port: (await freePort()) as number, process: undefined as unknown as ChildProcess, stopped: false };
  spawnReplica(replica);
  replicas.set(identity, replica);
  return replica;
}

function spawnReplica(replica: Replica): void {
  const { identity, port } = replica;
  const child = startNode(`operator-${identity}`, 'operator/dist/main.js', {
    KUBECONFIG: kubeconfigPath(),
    NP_OPS_PORT: String(port),
    POD_NAME: identity,
    LOG_LEVEL: 'info',
    NP_OPERATOR_LEADER_ELECT: 'true',
    NP_OPERATOR_LEASE_NAMESPACE: 'default',
    NP_OPERATOR_LEASE_NAME: LEASE,
    NP_OPERATOR_LEASE_DURATION_MS: String(LEASE_MS),
    NP_OPERATOR_RENEW_DEADLINE_MS: '6000',
    NP_OPERATOR_RETRY_PERIOD_MS: '1000',
    NP_OPERATOR_ORGANIZATION_REALM: SHARED_REALM,
    NP_OPERATOR_ORGANIZATION_GATEWAY_SECRET: ORGANIZATION_SECRET,
    NP_OPERATOR_ORGANIZATION_USERS_SECRET: ORGANIZATION_SECRET,
    NP_OPERATOR_IMAGE_REGISTRY: 'registry.test/np',
  }, { logDir: '.local/operator-logs' }) as ChildProcess;
  replica.process = child;
  child.once('exit', () => {
    if (!replica.stopped) setTimeout(() => replica.stopped || spawnReplica(replica), RESTART_AFTER_MS);
  });
}

async function holder(): Promise<string | undefined> {
  try {
    const lease = await leases.readNamespacedLease({ name: LEASE, namespace: 'default' });
    return lease.spec?.holderIdentity ?? undefined;
  } catch {
    return undefined;
  }
}

async function reconcileCount(replica: Replica): Promise<number> {
  return sumSamples(await scrape(replica.port), 'controller_runtime_reconcile_total') as number;
}

beforeAll(async () => {
  clients = clusterClients();
  leases = clients.kubeConfig.makeApiClient(CoordinationV1Api);
  await installCrd(clients);
}, 60_000);

afterAll(async () => {
  await Promise.all(TENANTS.map((name) => deleteTenant(clients, name)));
  await eventually('failover tenants cleaned up', async () => (await Promise.all(TENANTS.map((name) => readTenant(clients, name)))).every((tenant) => !tenant), 120_000).catch(() => undefined);
  for (const replica of replicas.values()) replica.stopped = true;
  await Promise.all([...replicas.values()].map((replica) => stopChild(replica.process)));
  await (await keycloakHand()).realms.del({ realm: SHARED_REALM }, { catchNotFound: true });
}, 180_000);

describe('two operator replicas with leader election', () => {
  it('one leads and reconciles; the standby does nothing', async () => {
    await startReplica('replica-a');
    await startReplica('replica-b');
    await eventually('a leader is elected', async () => (await holder()) !== undefined, 30_000);
    const leader = replicas.get((await holder())!)!;
    const standby = [...replicas.values()].find((replica) => replica !== leader)!;
    await eventually('both replicas serve metrics', async () => (await reconcileCount(leader)) >= 0 && (await reconcileCount(standby)) >= 0, 30_000);

    await Promise.all(
      TENANTS.map((name) =>
        createTenant(clients, name, {
          adminEmail: `admin@${name}.example.com`,
          identity: { mode: 'organization' },
          deletionPolicy: 'Delete',
          modules: [{ name: 'users' }, { name: 'files' }],
        }),
      ),
    );
    await eventually('the leader has started reconciling', async () => (await reconcileCount(leader)) > 5, 30_000);
    expect(await reconcileCount(standby)).toBe(0);
  }, 90_000);

  it('the standby takes over when the leader is killed mid-reconcile, and everything converges', async () => {
    const leaderIdentity = (await holder())!;
    const leader = replicas.get(leaderIdentity)!;
    const readyBeforeKill = (await Promise.all(TENANTS.map((name) => readTenant(clients, name)))).filter(isReadyAtGeneration).length;
    leader.process.kill('SIGKILL');
    await eventually('the standby holds the lease', async () => {
      const current = await holder();
      return current !== undefined && current !== leaderIdentity;
    }, LEASE_MS * 4);
    // The killed replica comes back by itself (see spawnReplica), as the new standby.

    await eventually('all 20 tenants are Ready', async () => (await Promise.all(TENANTS.map((name) => readTenant(clients, name)))).every(isReadyAtGeneration), 300_000);
    expect(readyBeforeKill).toBeLessThan(TENANTS.length);

    for (const name of TENANTS) {
      const namespace = `tenant-${name}`;
      const deployments = await clients.apps.listNamespacedDeployment({ namespace });
      expect(deployments.items.map((item) => item.metadata?.name).sort()).toEqual(['auth', 'files', 'gateway', 'users']);
      const everything: KubernetesObject[] = [
        ...deployments.items,
        ...(await clients.core.listNamespacedService({ namespace })).items,
        ...(await clients.autoscaling.listNamespacedHorizontalPodAutoscaler({ namespace })).items,
      ];
      for (const object of everything) expect(object.metadata?.ownerReferences).toHaveLength(1);
      const pods = await clients.core.listNamespacedPod({ namespace });
      // gateway, auth, users, files: one replica each at their minimum, no duplicates.
      expect(pods.items.filter((pod) => !pod.metadata?.deletionTimestamp)).toHaveLength(4);
    }
  }, 400_000);

  it('leaves no namespace behind once the Tenants are deleted', async () => {
    await Promise.all(TENANTS.map((name) => deleteTenant(clients, name)));
    await eventually('every failover namespace is gone', async () =>
      (await Promise.all(TENANTS.map((name) => namespaceExists(clients, `tenant-${name}`)))).every((exists) => !exists), 180_000);
    await eventually('every failover Tenant is gone', async () => (await Promise.all(TENANTS.map((name) => readTenant(clients, name)))).every((tenant) => !tenant));
  }, 240_000);
});

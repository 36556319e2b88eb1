// Leader election against the real API server started by tools/cluster-up.sh: two electors in
// one process compete for a Lease in `default`, each test on a lease of its own.
import { afterEach, describe, expect, it } from '@jest/globals';
import { ApiException, CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@np/observability';
import { randomBytes } from 'node:crypto';
import { LeaderElector } from '../src/runtime/leader-election.js';

const NAMESPACE = 'default';
const LEASE_MS = 3_000;
const RENEW_DEADLINE_MS = 2_000;
const RETRY_MS = 500;

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(process.env.KUBECONFIG ?? '.local/kubeconfig');
const api = kubeConfig.makeApiClient(CoordinationV1Api);
const logger = createLogger({ service: 'leader-election-test', level: process.env.LOG_LEVEL ?? 'silent' });

const leases: string[] = [];
const electors: LeaderElector[] = [];

function uniqueLeaseName(): string {
  const name = `np-le-test-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  leases.push(name);
  return name;
}

/** An API client that can be cut off, as if its process had died mid-term: calls fail, nothing is released. */
function severable(): { api: CoordinationV1Api; sever: () => void } {
  let severed = false;
  const proxy = new Proxy(api, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (severed ? Promise.reject(new Error('process gone')) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
  return { api: proxy, sever: () => (severed = true) };
}

function candidate(name: string, identity: string, client: CoordinationV1Api = api): LeaderElector {
  const elector = new LeaderElector({
    api: client,
    namespace: NAMESPACE,
    name,
    identity,
    leaseDurationMs: LEASE_MS,
    renewDeadlineMs: RENEW_DEADLINE_MS,
    retryPeriodMs: RETRY_MS,
    logger,
  });
  electors.push(elector);
  return elector;
}

async function holderOf(name: string): Promise<string | undefined> {
  return (await api.readNamespacedLease({ name, namespace: NAMESPACE })).spec?.holderIdentity;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await Promise.all(electors.splice(0).map((elector) => elector.release()));
  for (const name of leases.splice(0)) {
    try {
      await api.deleteNamespacedLease({ name, namespace: NAMESPACE });
    } catch (error) {
      if (!(error instanceof ApiException && error.code === 404)) throw error;
    }
  }
});

describe('LeaderElector on a real Lease', () => {
  it('lets one of two candidates lead while the other waits', async () => {
    const name = uniqueLeaseName();
    const a = candidate(name, 'replica-a');
    const b = candidate(name, 'replica-b');
    const acquiring = { a: a.acquire(), b: b.acquire() };
    const winner = await Promise.race([acquiring.a.then(() => 'replica-a'), acquiring.b.then(() => 'replica-b')]);

    // Longer than a lease duration: the leader must have renewed for the other to still be waiting.
    await sleep(LEASE_MS + 2 * RETRY_MS);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(await holderOf(name)).toBe(winner);

    const lease = await api.readNamespacedLease({ name, namespace: NAMESPACE });
    expect(lease.spec?.leaseDurationSeconds).toBe(LEASE_MS / 1000);
    expect(lease.spec?.leaseTransitions).toBe(0);
    expect(String(lease.spec?.renewTime)).toMatch(/\.\d{6}Z$/);
  });

  it('hands over quickly when the leader releases the lease', async () => {
    const name = uniqueLeaseName();
    const a = candidate(name, 'replica-a');
    expect(await a.acquire()).toBe(true);
    const b = candidate(name, 'replica-b');
    const waiting = b.acquire();
    await sleep(2 * RETRY_MS);
    expect(b.isLeader()).toBe(false);

    const releasedAt = performance.now();
    await a.release();
    expect(a.isLeader()).toBe(false);
    expect(await waiting).toBe(true);
    const handover = performance.now() - releasedAt;

    // Well under a lease duration: b did not wait for the released lease to expire.
    expect(handover).toBeLessThan(LEASE_MS);
    const lease = await api.readNamespacedLease({ name, namespace: NAMESPACE });
    expect(lease.spec?.holderIdentity).toBe('replica-b');
    expect(lease.spec?.leaseTransitions).toBe(1);
  });

  it('takes over about one lease duration after the leader stops renewing, after the leader stepped down', async () => {
    const name = uniqueLeaseName();
    const link = severable();
    const a = candidate(name, 'replica-a', link.api);
    expect(await a.acquire()).toBe(true);
    const events: string[] = [];
    a.onLost(() => events.push('a lost'));
    const b = candidate(name, 'replica-b');
    const waiting = b.acquire().then((acquired) => {
      events.push('b acquired');
      return acquired;
    });
    await sleep(LEASE_MS);
    expect(b.isLeader()).toBe(false);

    const severedAt = performance.now();
    link.sever();
    expect(await waiting).toBe(true);
    const takeover = performance.now() - severedAt;

    // Not before the lease could have expired (the last renewal may precede the cut by one retry period) ...
    expect(takeover).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS - 500);
    // ... and roughly one lease duration after it, plus the candidate's jittered polling.
    expect(takeover).toBeLessThan(LEASE_MS + 4_000);
    // The old leader gave up (renew deadline 2 s) before the new one started (lease 3 s).
    expect(events).toEqual(['a lost', 'b acquired']);
    expect(a.isLeader()).toBe(false);
    const lease = await api.readNamespacedLease({ name, namespace: NAMESPACE });
    expect(lease.spec?.holderIdentity).toBe('replica-b');
    expect(lease.spec?.leaseTransitions).toBe(1);
  });
});

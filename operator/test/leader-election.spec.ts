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
/** Longer than any test runs (and than Jest's timeout). */
const UNEXPIRING_LEASE_MS = 600_000;

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

function candidate(name: string, identity: string, client: CoordinationV1Api = api, leaseDurationMs = LEASE_MS): LeaderElector {
  const elector = new LeaderElector({
    api: client,
    namespace: NAMESPACE,
    name,
    identity,
    leaseDurationMs,
    renewDeadlineMs: RENEW_DEADLINE_MS,
    retryPeriodMs: RETRY_MS,
    logger,
  });
  electors.push(elector);
  return elector;
}

/** A Lease time (MicroTime: a Date, or its RFC 3339 text as the API server sent it) in epoch milliseconds. */
function millisOf(time: unknown): number {
  return time instanceof Date ? time.getTime() : Date.parse(String(time));
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

  it('hands over at once when the leader releases the lease', async () => {
    const name = uniqueLeaseName();
    // A lease far longer than the test may run: b can only get it because a released it, not by waiting for it to expire.
    const a = candidate(name, 'replica-a', api, UNEXPIRING_LEASE_MS);
    expect(await a.acquire()).toBe(true);
    const b = candidate(name, 'replica-b', api, UNEXPIRING_LEASE_MS);
    const waiting = b.acquire();
    await sleep(2 * RETRY_MS);
    expect(b.isLeader()).toBe(false);

    await a.release();
    expect(a.isLeader()).toBe(false);
    expect(await waiting).toBe(true);
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

    link.sever();
    // a's last renewal as the API server holds it (a renewal in flight may still land later, which only makes it newer).
    const lastRenewal = (await api.readNamespacedLease({ name, namespace: NAMESPACE })).spec?.renewTime;
    expect(await waiting).toBe(true);

    // The old leader gave up (renew deadline 2 s) before the new one started (lease 3 s).
    expect(events).toEqual(['a lost', 'b acquired']);
    expect(a.isLeader()).toBe(false);
    const lease = await api.readNamespacedLease({ name, namespace: NAMESPACE });
    // b took the lease only once a's term had run out: its acquireTime lies a lease duration or more after a's last renewal.
    expect(millisOf(lease.spec?.acquireTime) - millisOf(lastRenewal)).toBeGreaterThanOrEqual(LEASE_MS);
    expect(lease.spec?.holderIdentity).toBe('replica-b');
    expect(lease.spec?.leaseTransitions).toBe(1);
  });
});

import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { ApiException, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { createLogger } from '@np/observability';
import { Registry } from 'prom-client';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
import { leaderElectionMetrics } from './metrics.js';

const NAMESPACE = 'default';
const NAME = 'np-operator';
const logger = createLogger({ service: 'leader-election-spec', level: 'silent' });

/**
 * An in-memory Lease store with the API server's optimistic locking: a replace must carry the
 * current resourceVersion (409 otherwise), create answers 409 when the lease exists. Objects
 * cross it as JSON, the way client-node hands them over (time fields come back as strings).
 */
class LeaseStore {
  private lease: V1Lease | undefined;
  private version = 0;
  /** Clients whose calls fail, as if their process lost the network. */
  readonly unreachable = new Set<string>();

  current(): V1Lease | undefined {
    return this.lease && roundTrip(this.lease);
  }

  put(lease: V1Lease): void {
    this.lease = { ...roundTrip(lease), metadata: { ...lease.metadata, resourceVersion: String(++this.version) } };
  }

  client(identity: string): CoordinationV1Api {
    const check = () => {
      if (this.unreachable.has(identity)) throw new Error(`${identity}: connection refused`);
    };
    const api = {
      readNamespacedLease: async () => {
        check();
        if (!this.lease) throw new ApiException(404, 'not found', {}, {});
        return roundTrip(this.lease);
      },
      createNamespacedLease: async ({ body }: { body: V1Lease }) => {
        check();
        if (this.lease) throw new ApiException(409, 'already exists', {}, {});
        this.put(body);
        return roundTrip(this.lease!);
      },
      replaceNamespacedLease: async ({ body }: { body: V1Lease }) => {
        check();
        if (!this.lease) throw new ApiException(404, 'not found', {}, {});
        if (body.metadata?.resourceVersion !== this.lease.metadata?.resourceVersion) throw new ApiException(409, 'conflict', {}, {});
        this.put(body);
        return roundTrip(this.lease);
      },
    };
    return api as unknown as CoordinationV1Api;
  }
}

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function elector(store: LeaseStore, identity: string, overrides: Partial<LeaderElectionOptions> = {}): LeaderElector {
  return new LeaderElector({ api: store.client(identity), namespace: NAMESPACE, name: NAME, identity, logger, ...overrides });
}

/** Advances fake time in small steps so awaited fake API calls settle between timers. */
async function advance(ms: number, step = 100): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += step) await jest.advanceTimersByTimeAsync(Math.min(step, ms - elapsed));
}

/** Advances until the promise settles (or maxMs passes) and returns how long that took. */
async function timeUntil(promise: Promise<unknown>, maxMs: number): Promise<number> {
  let done = false;
  void promise.then(() => (done = true));
  const start = Date.now();
  while (!done && Date.now() - start < maxMs) await jest.advanceTimersByTimeAsync(50);
  if (!done) throw new Error(`still pending after ${maxMs} ms`);
  return Date.now() - start;
}

describe('LeaderElector', () => {
  let store: LeaseStore;

  beforeEach(() => {
    jest.useFakeTimers();
    store = new LeaseStore();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('creates the lease when it is absent and leads', async () => {
    const registry = new Registry();
    const a = elector(store, 'a', { metrics: leaderElectionMetrics(registry, NAME) });
    expect(await a.acquire()).toBe(true);
    expect(a.isLeader()).toBe(true);
    const spec = store.current()!.spec!;
    expect(spec.holderIdentity).toBe('a');
    expect(spec.leaseDurationSeconds).toBe(15);
    expect(spec.leaseTransitions).toBe(0);
    // MicroTime: the API server rejects the three fractional digits a plain Date gives.
    expect(String(spec.renewTime)).toMatch(/\.\d{6}Z$/);
    expect(String(spec.acquireTime)).toMatch(/\.\d{6}Z$/);
    expect(await registry.metrics()).toContain(`leader_election_master_status{name="${NAME}"} 1`);
    await a.release();
    expect(await registry.metrics()).toContain(`leader_election_master_status{name="${NAME}"} 0`);
  });

  it('lets exactly one of two simultaneous candidates win', async () => {
    const a = elector(store, 'a');
    const b = elector(store, 'b');
    const first = await Promise.race([a.acquire().then(() => 'a'), b.acquire().then(() => 'b')]);
    await advance(5_000);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(store.current()!.spec!.holderIdentity).toBe(first);
    await Promise.all([a.release(), b.release()]);
  });

  it('keeps renewing, so a waiting candidate never takes over from a live leader', async () => {
    const a = elector(store, 'a');
    await a.acquire();
    const { renewTime, acquireTime } = store.current()!.spec!;
    const b = elector(store, 'b');
    const waiting = b.acquire();
    await advance(60_000);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(store.current()!.spec!.renewTime).not.toEqual(renewTime);
    expect(store.current()!.spec!.acquireTime).toEqual(acquireTime);
    await b.release();
    expect(await waiting).toBe(false);
    await a.release();
  });

  it('gives up leadership after the renew deadline, calls onLost once, and the other takes over after the lease duration', async () => {
    const a = elector(store, 'a');
    await a.acquire();
    const lost = jest.fn();
    a.onLost(lost);
    const b = elector(store, 'b');
    const waiting = b.acquire();
    await advance(3_000);

    store.unreachable.add('a');
    const crashedAt = Date.now();
    await advance(9_000);
    // 10 s after its last successful renewal at most, the old leader has stepped down ...
    expect(a.isLeader()).toBe(false);
    expect(lost).toHaveBeenCalledTimes(1);
    // ... while the candidate still waits for 15 s without a change to the lease.
    expect(b.isLeader()).toBe(false);

    await timeUntil(waiting, 20_000);
    const takeover = Date.now() - crashedAt;
    expect(takeover).toBeGreaterThanOrEqual(15_000 - 2_000);
    expect(takeover).toBeLessThanOrEqual(15_000 + 2 * 2_200 + 500);
    expect(b.isLeader()).toBe(true);
    expect(store.current()!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });

    await advance(30_000);
    expect(lost).toHaveBeenCalledTimes(1);
    const late = jest.fn();
    a.onLost(late);
    expect(late).toHaveBeenCalledTimes(1);
    await Promise.all([a.release(), b.release()]);
  });

  it('judges expiry by when it saw the lease change, not by the remote renewTime', async () => {
    for (const renewTime of ['2001-01-01T00:00:00.000000Z', '2100-01-01T00:00:00.000000Z']) {
      store = new LeaseStore();
      store.put({
        metadata: { name: NAME, namespace: NAMESPACE },
        spec: { holderIdentity: 'gone', leaseDurationSeconds: 15, renewTime: renewTime as never, acquireTime: renewTime as never, leaseTransitions: 4 },
      });
      const b = elector(store, 'b');
      const took = await timeUntil(b.acquire(), 30_000);
      expect(took).toBeGreaterThanOrEqual(15_000);
      expect(took).toBeLessThanOrEqual(15_000 + 2 * 2_200 + 200);
      expect(store.current()!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 5 });
      await b.release();
    }
  });

  it('renews through a 409 when something else touched the lease object', async () => {
    const a = elector(store, 'a');
    await a.acquire();
    const lost = jest.fn();
    a.onLost(lost);
    const touched = store.current()!;
    store.put({ ...touched, metadata: { ...touched.metadata, labels: { touched: 'yes' } } });
    const version = store.current()!.metadata!.resourceVersion;
    await advance(2_500);
    expect(store.current()!.metadata!.resourceVersion).not.toBe(version);
    expect(store.current()!.spec!.holderIdentity).toBe('a');
    expect(a.isLeader()).toBe(true);
    expect(lost).not.toHaveBeenCalled();
    await a.release();
  });

  it('steps down when another holder replaced it, without releasing their lease', async () => {
    const a = elector(store, 'a');
    await a.acquire();
    const lost = jest.fn();
    a.onLost(lost);
    const current = store.current()!;
    store.put({ ...current, spec: { ...current.spec, holderIdentity: 'usurper' } });
    await advance(11_000);
    expect(lost).toHaveBeenCalledTimes(1);
    await a.release();
    expect(store.current()!.spec!.holderIdentity).toBe('usurper');
  });

  it('releases on shutdown so a waiting candidate takes over at once', async () => {
    const a = elector(store, 'a');
    await a.acquire();
    const lost = jest.fn();
    a.onLost(lost);
    const b = elector(store, 'b');
    const waiting = b.acquire();
    await advance(1_000);

    await a.release();
    expect(a.isLeader()).toBe(false);
    expect(store.current()!.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(await timeUntil(waiting, 10_000)).toBeLessThanOrEqual(2 * 2_200 + 200);
    expect(b.isLeader()).toBe(true);
    expect(store.current()!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    expect(lost).not.toHaveBeenCalled();
    await b.release();
  });

  it('leaves no timer behind after release', async () => {
    const a = elector(store, 'a');
    await a.acquire();
    await advance(5_000);
    await a.release();
    expect(jest.getTimerCount()).toBe(0);
    expect(await a.acquire()).toBe(false);
  });

  it('resolves false when the signal aborts while waiting, leaving no timer', async () => {
    const a = elector(store, 'a');
    await a.acquire();
    const b = elector(store, 'b');
    const controller = new AbortController();
    const waiting = b.acquire(controller.signal);
    await advance(3_000);
    controller.abort();
    expect(await waiting).toBe(false);
    await a.release();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('retries while the API server is unreachable and leads once it answers', async () => {
    store.unreachable.add('a');
    const a = elector(store, 'a');
    const acquiring = a.acquire();
    await advance(10_000);
    expect(a.isLeader()).toBe(false);
    store.unreachable.delete('a');
    await timeUntil(acquiring, 10_000);
    expect(a.isLeader()).toBe(true);
    await a.release();
  });

  it('rejects timings where the leader could outlive its lease', () => {
    const api = store.client('a');
    const base = { api, namespace: NAMESPACE, name: NAME, identity: 'a', logger };
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(/leaseDurationMs/);
    expect(() => new LeaderElector({ ...base, renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(/retryPeriodMs/);
    expect(() => new LeaderElector({ ...base, leaseDurationMs: 500, renewDeadlineMs: 400, retryPeriodMs: 100 })).toThrow(/1000/);
    expect(() => new LeaderElector({ ...base, identity: '' })).toThrow(/identity/);
  });
});

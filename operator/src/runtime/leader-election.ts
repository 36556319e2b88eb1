import {
  ApiException,
  Observable,
  V1MicroTime,
  type ConfigurationOptions,
  type CoordinationV1Api,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
  type V1Lease,
  type V1LeaseSpec,
} from '@kubernetes/client-node';
import type { Logger } from '@np/observability';
import type { Gauge } from 'prom-client';

export interface LeaderElectionOptions {
  api: CoordinationV1Api;
  namespace: string;
  name: string;
  /** Unique per replica (e.g. pod name plus a random suffix): two replicas with one identity both lead. */
  identity: string;
  /** How long others wait, from when they last saw the lease change, before taking it over. */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up leadership. */
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  logger: Logger;
  /** From `leaderElectionMetrics(registry, name)`, created with the same lease name. */
  metrics?: { masterStatus: Gauge };
}

/** client-go's JitterFactor: candidates retry after retryPeriod × [1, 2.2) so they do not poll in step. */
const JITTER_FACTOR = 1.2;

/**
 * client-go's leader election on a coordination.k8s.io/v1 Lease, with the Lease's
 * resourceVersion as the lock: every write is a replace of the version last read, and a 409
 * means another replica wrote first.
 *
 * Expiry is judged by this process's monotonic clock: a candidate notes when it last saw the
 * lease record change and takes over once leaseDuration has passed since then without a change.
 * The remote renewTime is never compared with the local clock, so clock skew between replicas
 * cannot shorten anyone's lease.
 *
 * The leader stops considering itself leader once renewDeadline has passed since the start of
 * its last successful renewal. That is measured from the last success rather than (as client-go
 * does) from the start of the failing renew cycle, which keeps a wider gap to the moment others
 * may take over.
 */
export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly namespace: string;
  private readonly name: string;
  private readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: Logger;
  private readonly masterStatus: Gauge | undefined;

  /** Aborted by release(): ends waits, the renew loop and requests in flight. */
  private readonly stopping = new AbortController();
  private readonly lostCallbacks: Array<() => void> = [];
  private leading = false;
  private lost = false;
  private acquiring: Promise<boolean> | undefined;
  private renewing: Promise<void> | undefined;

  /** The Lease as last read or written; its resourceVersion makes the next write conditional. */
  private lease: V1Lease | undefined;
  /** The lease record as last observed, and when (monotonic ms) it was last seen to change. */
  private observedRecord: V1LeaseSpec = {};
  private observedKey = '';
  private observedAt = 0;

  constructor(options: LeaderElectionOptions) {
    this.api = options.api;
    this.namespace = options.namespace;
    this.name = options.name;
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.logger = options.logger.child({ lease: `${options.namespace}/${options.name}`, identity: options.identity });
    this.masterStatus = options.metrics?.masterStatus;
    validateTimings(this.leaseDurationMs, this.renewDeadlineMs, this.retryPeriodMs);
    if (!this.identity) throw new Error('leader election needs a non-empty identity');
    this.setMasterStatus(0);
  }

  /**
   * Blocks until leadership is acquired (or signal aborts → resolves false); then renews every
   * retryPeriod in the background; if renewal fails for renewDeadline, calls onLost once.
   * Concurrent calls share one attempt (and the first caller's signal).
   */
  acquire(signal?: AbortSignal): Promise<boolean> {
    if (this.leading) return Promise.resolve(true);
    if (this.stopping.signal.aborted) return Promise.resolve(false);
    this.acquiring ??= this.acquireLoop(signal).finally(() => {
      this.acquiring = undefined;
    });
    return this.acquiring;
  }

  /** Called once when leadership is lost (not on release()); a callback added after the loss runs at once. */
  onLost(callback: () => void): void {
    this.lostCallbacks.push(callback);
    if (this.lost) this.runLostCallback(callback);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Clean shutdown: stop renewing and release the lease (holderIdentity cleared / leaseDurationSeconds 1
   * as client-go does) so another replica takes over at once. Never throws: a failed release only
   * means the others wait for the lease to expire.
   */
  async release(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    await this.acquiring;
    await this.renewing;
    const wasLeading = this.leading;
    this.leading = false;
    this.setMasterStatus(0);
    if (wasLeading) await this.releaseLease();
  }

  private async acquireLoop(signal: AbortSignal | undefined): Promise<boolean> {
    const stop = signal ? AbortSignal.any([signal, this.stopping.signal]) : this.stopping.signal;
    this.logger.info('attempting to acquire leader lease');
    while (!stop.aborted) {
      const acquiredAt = await this.attempt(stop, this.renewDeadlineMs);
      if (stop.aborted) {
        // The write can land in the same tick as the abort: hand the lease straight back.
        if (acquiredAt !== undefined) await this.releaseLease();
        return false;
      }
      if (acquiredAt !== undefined) {
        this.becomeLeader(acquiredAt);
        return true;
      }
      await sleep(this.retryPeriodMs * (1 + Math.random() * JITTER_FACTOR), stop);
    }
    return false;
  }

  /** `acquiredAt`: when the winning attempt started, the earliest the others may have seen our record. */
  private becomeLeader(acquiredAt: number): void {
    this.leading = true;
    this.lost = false;
    this.setMasterStatus(1);
    this.logger.info('acquired leader lease');
    this.renewing = this.renewLoop(acquiredAt).catch((error: unknown) => {
      this.logger.error({ err: error }, 'leader lease renewal stopped unexpectedly');
      this.loseLeadership();
    });
  }

  private async renewLoop(acquiredAt: number): Promise<void> {
    const stop = this.stopping.signal;
    let renewedAt = acquiredAt;
    while (!stop.aborted) {
      await sleep(this.retryPeriodMs, stop);
      if (stop.aborted) return;
      const startedAt = await this.renewBefore(renewedAt + this.renewDeadlineMs, stop);
      if (stop.aborted) return;
      if (startedAt === undefined) {
        this.loseLeadership();
        return;
      }
      renewedAt = startedAt;
    }
  }

  /** Retries the renewal every retryPeriod until it succeeds or the deadline passes; resolves when the successful attempt started. */
  private async renewBefore(deadline: number, stop: AbortSignal): Promise<number | undefined> {
    for (;;) {
      const remaining = deadline - performance.now();
      if (remaining <= 0 || stop.aborted) return undefined;
      const startedAt = await this.attempt(stop, remaining);
      if (startedAt !== undefined) return startedAt;
      const left = deadline - performance.now();
      if (left <= 0 || stop.aborted) return undefined;
      await sleep(Math.min(this.retryPeriodMs, left), stop);
    }
  }

  /**
   * One tryAcquireOrRenew bounded by timeoutMs. Resolves the monotonic time at which the
   * successful attempt started, or undefined when it failed, timed out or was stopped.
   */
  private async attempt(stop: AbortSignal, timeoutMs: number): Promise<number | undefined> {
    const startedAt = performance.now();
    // A controller of its own per attempt rather than AbortSignal.any: the renew loop makes one
    // every retry period for the life of the process, and each listener is removed again here.
    const attempt = new AbortController();
    const abort = (): void => attempt.abort();
    const timer = setTimeout(abort, timeoutMs);
    stop.addEventListener('abort', abort, { once: true });
    if (stop.aborted) abort();
    try {
      return (await this.tryAcquireOrRenew(attempt.signal)) ? startedAt : undefined;
    } catch (error) {
      // A candidate's failures (409 races, a held lease) are routine; a leader's are a warning sign.
      if (!attempt.signal.aborted) this.logger[this.leading ? 'warn' : 'debug']({ err: error }, 'leader lease attempt failed');
      return undefined;
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', abort);
    }
  }

  /**
   * client-go's tryAcquireOrRenew. Every state change is skipped once `signal` aborted, so an
   * attempt that timed out cannot update what a later attempt relies on.
   */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = new V1MicroTime(Date.now());
    const desired: V1LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.floor(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };

    if (await this.tryOptimisticRenew(desired, signal)) return true;
    if (signal.aborted) return false;

    const current = await this.readLease(signal);
    if (signal.aborted) return false;
    if (current === undefined) {
      const created = await this.api.createNamespacedLease(
        { namespace: this.namespace, body: { metadata: { name: this.name, namespace: this.namespace }, spec: desired } },
        abortOn(signal),
      );
      if (signal.aborted) return false;
      this.observe(created);
      return true;
    }

    this.lease = current;
    const record = current.spec ?? {};
    this.noteRecord(record);
    const holder = record.holderIdentity ?? '';
    const expired = this.observedAt + (record.leaseDurationSeconds ?? 0) * 1000 < performance.now();
    if (holder !== '' && holder !== this.identity && !expired) return false;

    // Renewing keeps the acquire time and the transition count; taking over starts a new term.
    const next: V1LeaseSpec =
      holder === this.identity
        ? { ...desired, acquireTime: record.acquireTime, leaseTransitions: record.leaseTransitions ?? 0 }
        : { ...desired, leaseTransitions: (record.leaseTransitions ?? 0) + 1 };
    const written = await this.replaceLease(current, next, signal);
    if (signal.aborted) return false;
    this.observe(written);
    return true;
  }

  /**
   * client-go's fast path: a leader whose lease is still valid by its own clock writes over the
   * version it wrote last, without reading first. A 409 falls back to the read.
   */
  private async tryOptimisticRenew(desired: V1LeaseSpec, signal: AbortSignal): Promise<boolean> {
    const base = this.lease;
    const holding = this.observedRecord.holderIdentity === this.identity;
    if (!base || !holding || this.observedAt + this.leaseDurationMs <= performance.now()) return false;
    try {
      const next = { ...desired, acquireTime: this.observedRecord.acquireTime, leaseTransitions: this.observedRecord.leaseTransitions ?? 0 };
      const written = await this.replaceLease(base, next, signal);
      if (signal.aborted) return false;
      this.observe(written);
      return true;
    } catch (error) {
      if (!signal.aborted) this.logger.debug({ err: error }, 'optimistic lease renewal failed; reading the lease');
      return false;
    }
  }

  private async readLease(signal: AbortSignal): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ name: this.name, namespace: this.namespace }, abortOn(signal));
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  /** A replace carrying `base`'s resourceVersion: the API server answers 409 if the lease changed since. */
  private replaceLease(base: V1Lease, spec: V1LeaseSpec, signal: AbortSignal): Promise<V1Lease> {
    return this.api.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body: { ...base, spec } }, abortOn(signal));
  }

  /** Records our own successful write as the observed record. */
  private observe(lease: V1Lease): void {
    this.lease = lease;
    this.observedRecord = lease.spec ?? {};
    this.observedKey = recordKey(this.observedRecord);
    this.observedAt = performance.now();
  }

  /** Restarts the expiry clock only when the record differs from the one seen last. */
  private noteRecord(record: V1LeaseSpec): void {
    const key = recordKey(record);
    if (key === this.observedKey) return;
    this.observedRecord = record;
    this.observedKey = key;
    this.observedAt = performance.now();
  }

  private async releaseLease(): Promise<void> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.renewDeadlineMs);
    try {
      const current = await this.readLease(timeout.signal);
      const record = current?.spec;
      // Someone else may have taken over meanwhile; releasing their lease would hand it to a third replica.
      if (!current || record?.holderIdentity !== this.identity) {
        this.logger.info('leader lease no longer ours; nothing to release');
        return;
      }
      const now = new V1MicroTime(Date.now());
      const released: V1LeaseSpec = {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: record.leaseTransitions ?? 0,
      };
      this.observe(await this.replaceLease(current, released, timeout.signal));
      this.logger.info('released leader lease');
    } catch (error) {
      this.logger.error({ err: error }, 'failed to release leader lease; others take over when it expires');
    } finally {
      clearTimeout(timer);
    }
  }

  private loseLeadership(): void {
    if (!this.leading) return;
    this.leading = false;
    this.lost = true;
    this.setMasterStatus(0);
    this.logger.error({ renewDeadlineMs: this.renewDeadlineMs }, 'leader lease lost: not renewed within the renew deadline');
    for (const callback of this.lostCallbacks) this.runLostCallback(callback);
  }

  private runLostCallback(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.logger.error({ err: error }, 'leader lost callback threw');
    }
  }

  private setMasterStatus(value: 0 | 1): void {
    this.masterStatus?.set({ name: this.name }, value);
  }
}

function validateTimings(leaseDurationMs: number, renewDeadlineMs: number, retryPeriodMs: number): void {
  if (!(leaseDurationMs >= 1000)) throw new Error('leaseDurationMs must be at least 1000 (the Lease counts whole seconds)');
  if (!(renewDeadlineMs > 0) || !(retryPeriodMs > 0)) throw new Error('renewDeadlineMs and retryPeriodMs must be positive');
  // The same checks as client-go's NewLeaderElector: the leader must give up before others may take over.
  if (!(leaseDurationMs > renewDeadlineMs)) throw new Error('leaseDurationMs must be greater than renewDeadlineMs');
  if (!(renewDeadlineMs > JITTER_FACTOR * retryPeriodMs)) throw new Error(`renewDeadlineMs must be greater than ${JITTER_FACTOR} × retryPeriodMs`);
}

/**
 * The record's identity for change detection (client-go compares the raw record). The time
 * fields arrive from client-node as strings, since its deserialiser does not know V1MicroTime.
 */
function recordKey(record: V1LeaseSpec): string {
  return JSON.stringify([
    record.holderIdentity ?? '',
    record.leaseDurationSeconds ?? 0,
    timeText(record.acquireTime),
    timeText(record.renewTime),
    record.leaseTransitions ?? 0,
  ]);
}

function timeText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'string' ? value : '';
}

/** Per-request options that abort the HTTP call with `signal` (client-node's generated API takes no signal directly). */
function abortOn(signal: AbortSignal): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre(context: RequestContext) {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post(response: ResponseContext) {
      return new Observable(Promise.resolve(response));
    },
  };
  // Appended, so the client's own middleware (the user agent header) still runs.
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

/** Resolves after ms, or at once when signal aborts; the timer never outlives the wait. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

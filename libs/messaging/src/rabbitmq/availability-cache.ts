/** What the broker says of a module's request queue. */
export type QueueState = 'served' | 'idle' | 'missing';

/**
 * Remembers, per module, that somebody consumes its queue. Only `served` is cached (for
 * `ttlMs`): a module that was down is re-checked on every request, so it is used the moment it
 * comes back, while a busy module costs one broker round trip per `ttlMs` instead of one per call.
 * Concurrent checks for the same module share one broker round trip.
 */
export class AvailabilityCache {
  private readonly servedUntil = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<QueueState>>();

  constructor(
    private readonly ttlMs: number,
    private readonly check: (key: string) => Promise<QueueState>,
    private readonly now: () => number = Date.now,
  ) {}

  async stateOf(key: string): Promise<QueueState> {
    const until = this.servedUntil.get(key);
    if (until !== undefined && until > this.now()) return 'served';
    return this.checkShared(key);
  }

  /** Forgets everything, e.g. after a reconnect when consumers may have gone. */
  clear(): void {
    this.servedUntil.clear();
  }

  private checkShared(key: string): Promise<QueueState> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const result = this.check(key)
      .then((state) => {
        if (state === 'served') this.servedUntil.set(key, this.now() + this.ttlMs);
        else this.servedUntil.delete(key);
        return state;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, result);
    return result;
  }
}

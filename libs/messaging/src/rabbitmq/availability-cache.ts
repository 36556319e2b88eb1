/**
 * Remembers, per module, that somebody consumes its queue. Only positive answers are cached (for
 * `ttlMs`): a module that was down is re-checked on every request, so it is used the moment it
 * comes back, while a busy module costs one broker round trip per `ttlMs` instead of one per call.
 * Concurrent checks for the same module share one broker round trip.
 */
export class AvailabilityCache {
  private readonly availableUntil = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly ttlMs: number,
    private readonly check: (key: string) => Promise<boolean>,
    private readonly now: () => number = Date.now,
  ) {}

  async isAvailable(key: string): Promise<boolean> {
    const until = this.availableUntil.get(key);
    if (until !== undefined && until > this.now()) return true;
    return this.checkShared(key);
  }

  /** Forgets everything, e.g. after a reconnect when consumers may have gone. */
  clear(): void {
    this.availableUntil.clear();
  }

  private checkShared(key: string): Promise<boolean> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const result = this.check(key)
      .then((available) => {
        if (available) this.availableUntil.set(key, this.now() + this.ttlMs);
        else this.availableUntil.delete(key);
        return available;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, result);
    return result;
  }
}

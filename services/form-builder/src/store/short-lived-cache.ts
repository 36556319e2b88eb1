/**
 * Values kept for `ttlMs`, for reads on every submission that change rarely (a form's status and
 * latest version, whether it has webhooks). This process forgets an entry as soon as it changes
 * it; another replica's change is seen within `ttlMs`.
 */
export class ShortLivedCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 10_000,
  ) {}

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value;
    const value = await load();
    if (this.entries.size >= this.capacity) this.entries.clear();
    this.entries.set(key, { value, until: now + this.ttlMs });
    return value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Sliding-window lockout. Given the newest failures (newest first, at most `maxFailures` of them,
 * all inside the window), answers how many seconds remain until fewer than `maxFailures` are left
 * in the window, or `undefined` when an attempt is allowed now.
 */
export function retryAfterSeconds(newestFailures: readonly Date[], now: Date, maxFailures: number, windowSeconds: number): number | undefined {
  if (newestFailures.length < maxFailures) return undefined;
  const oldestCounted = newestFailures[maxFailures - 1];
  if (!oldestCounted) return undefined;
  const leavesWindowAt = oldestCounted.getTime() + windowSeconds * 1000;
  const remainingMs = leavesWindowAt - now.getTime();
  return remainingMs > 0 ? Math.max(1, Math.ceil(remainingMs / 1000)) : undefined;
}

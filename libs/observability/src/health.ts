import { withTimeout } from '@np/contracts';

/** A named readiness check: resolves when the dependency is usable, rejects (or returns false) when not. */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean> | boolean;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'up' | 'down'>;
}

const CHECK_TIMEOUT_MS = 2000;

/** Runs every check in parallel with a timeout, so a hung dependency reports down instead of hanging the probe. */
export async function evaluateReadiness(checks: readonly ReadinessCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => [name, (await runWithTimeout(check)) ? 'up' : 'down'] as const),
  );
  return { ready: results.every(([, state]) => state === 'up'), checks: Object.fromEntries(results) };
}

/** A check that throws, returns false or outlives CHECK_TIMEOUT_MS counts as down. */
async function runWithTimeout(check: ReadinessCheck['check']): Promise<boolean> {
  return withTimeout(Promise.resolve().then(check), CHECK_TIMEOUT_MS).catch(() => false);
}

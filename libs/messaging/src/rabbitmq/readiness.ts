import { withTimeout } from '@np/contracts';
import { busUnavailable } from './bus-errors.js';

/**
 * Lets `start()` wait until the transport is ready. The channels that make it ready call
 * `notify()` after each setup; `wait()` resolves on the first notification that finds it ready.
 */
export class Readiness {
  private readonly waiters = new Set<() => void>();

  constructor(private readonly isReady: () => boolean) {}

  notify(): void {
    if (!this.isReady()) return;
    for (const waiter of this.waiters) waiter();
  }

  async wait(timeoutMs: number): Promise<void> {
    if (this.isReady()) return;
    let waiter: (() => void) | undefined;
    const ready = new Promise<void>((resolve) => {
      waiter = resolve;
      this.waiters.add(resolve);
    });
    try {
      await withTimeout(ready, timeoutMs, () => busUnavailable(`could not connect to RabbitMQ within ${timeoutMs} ms`));
    } finally {
      if (waiter) this.waiters.delete(waiter);
    }
  }
}

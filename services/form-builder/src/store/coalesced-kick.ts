import type { OutboxSignal } from '@np/messaging';

/**
 * Wakes the outbox relay at most once per `windowMs`: under a stream of submissions the relay
 * publishes one batch per window instead of one small batch (four statements) per submission,
 * and an event still leaves within the window.
 */
export class CoalescedKick implements OutboxSignal {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly relay: OutboxSignal,
    private readonly windowMs: number,
  ) {}

  kick(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.relay.kick();
    }, this.windowMs);
    this.timer.unref();
  }
}

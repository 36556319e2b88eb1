import type { BusModuleName } from '@np/modules';
import { AppError, withTimeout } from '@np/contracts';
import type { Logger } from '@np/observability';
import type { EventEnvelope, EventHandler, ReplyEnvelope, RequestEnvelope, RequestHandler } from './envelopes.js';
import type { SubscribeOptions, Transport } from './transport.js';
import { topicMatches } from './topic-matches.js';

interface Subscription {
  consumer: string;
  patterns: readonly string[];
  handler: EventHandler;
}

const MAX_EVENT_ATTEMPTS = 5;

/**
 * The embedded shape's bus: calls go straight to the handler in the same process. It keeps the
 * same semantics as RabbitMQ where they matter to callers: timeouts, `module_unavailable`,
 * events delivered after the publisher returns, redelivery of a failed event.
 */
export class InProcessTransport implements Transport {
  readonly kind = 'in-process' as const;
  private readonly servers = new Map<BusModuleName, RequestHandler>();
  private readonly subscriptions: Subscription[] = [];
  private readonly inFlightEvents = new Set<Promise<void>>();
  private ready = false;

  constructor(private readonly logger?: Logger) {}

  start(): Promise<void> {
    this.ready = true;
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.ready = false;
    await Promise.allSettled([...this.inFlightEvents]);
  }

  isReady(): boolean {
    return this.ready;
  }

  async request(module: BusModuleName, envelope: RequestEnvelope, timeoutMs: number): Promise<ReplyEnvelope> {
    const handler = this.servers.get(module);
    if (!handler) throw new AppError('module_unavailable', `The ${module} module is not running.`);
    return withTimeout(
      handler(structuredClone(envelope)),
      timeoutMs,
      () => new AppError('module_timeout', `The ${module} module did not answer within ${timeoutMs} ms.`),
    );
  }

  serve(module: BusModuleName, handler: RequestHandler): Promise<void> {
    if (this.servers.has(module)) throw new Error(`The ${module} module is already served in this process.`);
    this.servers.set(module, handler);
    return Promise.resolve();
  }

  /** Stops serving a module, as if its process had stopped. */
  unserve(module: BusModuleName): void {
    this.servers.delete(module);
  }

  publish(event: EventEnvelope): Promise<void> {
    for (const subscription of this.subscriptions) {
      if (subscription.patterns.some((pattern) => topicMatches(pattern, event.name))) {
        this.track(this.deliver(subscription, structuredClone(event)));
      }
    }
    return Promise.resolve();
  }

  /** Every subscription gets every matching event: one process, so broadcast is the same thing. */
  subscribe(consumer: string, patterns: readonly string[], handler: EventHandler, options: SubscribeOptions = {}): Promise<void> {
    this.subscriptions.push({ consumer, patterns, handler });
    options.onSubscribed?.();
    return Promise.resolve();
  }

  /** Resolves when every event published so far has been handled (for tests and shutdown). */
  async drain(): Promise<void> {
    while (this.inFlightEvents.size > 0) await Promise.allSettled([...this.inFlightEvents]);
  }

  private track(delivery: Promise<void>): void {
    this.inFlightEvents.add(delivery);
    void delivery.finally(() => this.inFlightEvents.delete(delivery));
  }

  private async deliver(subscription: Subscription, event: EventEnvelope): Promise<void> {
    await Promise.resolve(); // deliver after the publisher's own code has moved on, as a broker would
    for (let attempt = 1; attempt <= MAX_EVENT_ATTEMPTS; attempt += 1) {
      try {
        await subscription.handler(event);
        return;
      } catch (error) {
        this.logger?.warn({ err: error, event: event.name, eventId: event.id, consumer: subscription.consumer, attempt }, 'event handler failed');
      }
    }
    this.logger?.error({ event: event.name, eventId: event.id, consumer: subscription.consumer }, 'event dead-lettered after retries');
  }
}

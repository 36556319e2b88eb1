import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { EventHandler } from '../envelopes.js';
import type { SubscribeOptions } from '../transport.js';
import { decodeEvent } from './codec.js';
import type { RabbitMqConnection } from './connection.js';
import {
  BROADCAST_QUEUE_OPTIONS,
  DEAD_LETTER_EXCHANGE,
  EVENTS_EXCHANGE,
  assertConsumerName,
  broadcastQueue,
  deadLetterQueue,
  declareEventExchanges,
  eventQueue,
  eventQueueOptions,
  serviceOfAmqpUser,
} from './topology.js';

export interface EventSubscriptionsOptions {
  prefetch: number;
  /** Redeliveries of a failing event before it is dead-lettered. */
  eventRetryLimit: number;
  /** Base of the exponential pause before a failed event is redelivered. */
  eventRetryDelayMs: number;
}

const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Event subscriptions: durable ones on a quorum queue per consumer (retries counted by the
 * broker, then its dead-letter queue) and broadcast ones on a queue of this process's own.
 */
export class EventSubscriptions {
  private readonly subscribed = new Set<string>();

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly options: EventSubscriptionsOptions,
  ) {}

  async subscribe(consumer: string, patterns: readonly string[], handler: EventHandler, options: SubscribeOptions = {}): Promise<void> {
    assertConsumerName(consumer);
    if (this.subscribed.has(consumer)) throw new Error(`The ${consumer} subscription already exists in this process.`);
    this.subscribed.add(consumer);
    if (options.broadcast) return this.subscribeBroadcast(consumer, patterns, handler, options);
    const queue = eventQueue(consumer);
    await this.connection.openChannel(`events:${consumer}`, async (channel) => {
      await declareEventExchanges(channel);
      await channel.assertQueue(deadLetterQueue(consumer), { durable: true });
      await channel.bindQueue(deadLetterQueue(consumer), DEAD_LETTER_EXCHANGE, queue);
      await channel.assertQueue(queue, eventQueueOptions(consumer, this.options.eventRetryLimit));
      for (const pattern of patterns) await channel.bindQueue(queue, EVENTS_EXCHANGE, pattern);
      await channel.prefetch(this.options.prefetch);
      await this.connection.consume(channel, queue, (message) => this.handleEvent(channel, consumer, message, handler));
    });
  }

  /** A queue of this process's own, bound like a durable subscription, with no retries: the handler keeps memory state. */
  private async subscribeBroadcast(consumer: string, patterns: readonly string[], handler: EventHandler, options: SubscribeOptions): Promise<void> {
    const queue = broadcastQueue(consumer, randomUUID().slice(0, 8));
    await this.connection.openChannel(`broadcast:${consumer}`, async (channel) => {
      await declareEventExchanges(channel);
      await channel.assertQueue(queue, BROADCAST_QUEUE_OPTIONS);
      for (const pattern of patterns) await channel.bindQueue(queue, EVENTS_EXCHANGE, pattern);
      await channel.prefetch(this.options.prefetch);
      await this.connection.consume(channel, queue, async (message) => {
        const event = decodeEvent(message.content);
        if (event) {
          event.publisher = serviceOfAmqpUser(message.properties.userId) ?? '';
          await handler(event).catch((error: unknown) =>
            this.connection.logger.error({ err: error, consumer, event: event.name }, 'broadcast event handler failed'),
          );
        }
        this.connection.safely('ack', () => channel.ack(message));
      });
      options.onSubscribed?.();
    });
  }

  private async handleEvent(channel: Channel, consumer: string, message: ConsumeMessage, handler: EventHandler): Promise<void> {
    const event = decodeEvent(message.content);
    if (event) event.publisher = serviceOfAmqpUser(message.properties.userId) ?? '';
    if (!event) {
      // It can never succeed: straight to the dead-letter queue, no retries.
      this.connection.logger.error({ consumer }, 'malformed event dead-lettered');
      this.connection.safely('nack', () => channel.nack(message, false, false));
      return;
    }
    const attempt = deliveryCount(message) + 1;
    try {
      await handler(event);
      this.connection.safely('ack', () => channel.ack(message));
    } catch (error) {
      const final = attempt > this.options.eventRetryLimit;
      this.connection.logger[final ? 'error' : 'warn'](
        { err: error, consumer, event: event.name, eventId: event.id, attempt },
        final ? 'event handler failed; dead-lettering' : 'event handler failed; will retry',
      );
      if (!final) await sleep(retryDelay(this.options.eventRetryDelayMs, attempt));
      // The quorum queue counts this return and dead-letters past x-delivery-limit.
      this.connection.safely('nack', () => channel.nack(message, false, true));
    }
  }
}

/** Quorum queues count previous deliveries in `x-delivery-count` (absent on the first). */
function deliveryCount(message: ConsumeMessage): number {
  const headers: Record<string, unknown> | undefined = message.properties.headers;
  const count = Number(headers?.['x-delivery-count'] ?? 0);
  return Number.isFinite(count) ? count : 0;
}

function retryDelay(baseMs: number, attempt: number): number {
  return Math.min(baseMs * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

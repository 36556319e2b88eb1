import type { ConfirmChannel } from 'amqplib';
import { withTimeout } from '@np/contracts';
import type { MessagingMetrics } from '@np/observability';
import type { EventEnvelope } from '../envelopes.js';
import { busUnavailable, toError } from './bus-errors.js';
import { encode } from './codec.js';
import type { RabbitMqConnection } from './connection.js';
import { CONTENT_TYPE, EVENTS_EXCHANGE, REQUEST_ID_HEADER, declareEventExchanges } from './topology.js';

export interface EventPublisherOptions {
  /** A publish not confirmed within this long fails with `bus_unavailable`. */
  publishTimeoutMs: number;
  metrics?: MessagingMetrics | undefined;
  /** Called after each setup of the publishing channel. */
  onReady: () => void;
  /** Whether the transport may send at all (connected, not closing). */
  canSend: () => boolean;
}

/** Publishes events to `np.events` on a confirm channel: `publish` resolves on the broker's confirm only. */
export class EventPublisher {
  private channel: ConfirmChannel | undefined;

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly options: EventPublisherOptions,
  ) {
    connection.onDisconnect(() => {
      this.channel = undefined;
    });
  }

  /** True while a confirm channel is open. */
  isReady(): boolean {
    return this.channel !== undefined;
  }

  open(): Promise<void> {
    return this.connection.openChannel(
      'publish',
      async (channel) => {
        await declareEventExchanges(channel);
        const confirmChannel = channel as ConfirmChannel;
        this.channel = confirmChannel;
        channel.once('close', () => {
          if (this.channel === confirmChannel) this.channel = undefined;
        });
        this.options.onReady();
      },
      { confirm: true, waitForSetup: false },
    );
  }

  async publish(event: EventEnvelope): Promise<void> {
    const channel = this.channel;
    if (!this.options.canSend() || !channel) throw busUnavailable('not connected to RabbitMQ');
    try {
      await withTimeout(this.publishConfirmed(channel, event), this.options.publishTimeoutMs);
    } catch (error) {
      // A late confirm may still land: the event can then be published twice, which consumers
      // tolerate (they are idempotent by event id); losing it is what we must not do.
      this.connection.logger.warn({ err: error, event: event.name, eventId: event.id }, 'event publish not confirmed');
      throw busUnavailable('the broker did not confirm the event');
    }
    this.options.metrics?.published.inc({ event: event.name });
  }

  private publishConfirmed(channel: ConfirmChannel, event: EventEnvelope): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      channel.publish(
        EVENTS_EXCHANGE,
        event.name,
        encode(event),
        {
          persistent: true,
          userId: this.connection.amqpUser,
          messageId: event.id,
          contentType: CONTENT_TYPE,
          timestamp: Math.floor(Date.now() / 1000),
          headers: event.requestId ? { [REQUEST_ID_HEADER]: event.requestId } : {},
        },
        (error: unknown) => (error ? reject(toError(error)) : resolve()),
      );
    });
  }
}

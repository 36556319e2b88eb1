import type { BusModuleName } from '@np/modules';
import type { Channel, Options } from 'amqplib';


/** Topic exchange every domain event is published to; routing key = event name. */
export const EVENTS_EXCHANGE = 'np.events';
/** Where events go after exhausting their retries; one DLQ per consumer is bound to it. */
export const DEAD_LETTER_EXCHANGE = 'np.events.dlx';
/** RabbitMQ's direct reply-to pseudo queue: no queue to declare, survives reconnects by re-consuming. */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';
export const REQUEST_ID_HEADER = 'x-request-id';
/** Envelopes travel as UTF-8 JSON (see codec.ts). */
export const CONTENT_TYPE = 'application/json';

const CONSUMER_NAME = /^[a-z0-9][a-z0-9_.-]{0,100}$/;

export function rpcQueue(module: BusModuleName): string {
  return `rpc.${module}`;
}

export function eventQueue(consumer: string): string {
  return `events.${assertConsumerName(consumer)}`;
}

/** One per process: `events.<consumer>.broadcast.<random>`, so permissions on `events.<consumer>.*` cover it. */
export function broadcastQueue(consumer: string, instance: string): string {
  return `${eventQueue(consumer)}.broadcast.${instance}`;
}

/** Exclusive and auto-deleted: it dies with the connection, and nothing is left behind by a crash. */
export const BROADCAST_QUEUE_OPTIONS: Options.AssertQueue = { exclusive: true, autoDelete: true, durable: false };

/**
 * The AMQP user a service connects as names the service: `<service>`, or `<prefix>.<service>`
 * when one broker serves several deployments (`tenant-acme.users`). RabbitMQ checks that the
 * `user_id` of every message equals the connection's user, so this is who really sent it.
 */
export function serviceOfAmqpUser(user: unknown): string | undefined {
  if (typeof user !== 'string' || user === '') return undefined;
  return user.slice(user.lastIndexOf('.') + 1);
}

export function deadLetterQueue(consumer: string): string {
  return `${eventQueue(consumer)}.dlq`;
}

/** Consumer names become queue names, so they are restricted to a safe alphabet. */
export function assertConsumerName(consumer: string): string {
  if (!CONSUMER_NAME.test(consumer)) throw new Error(`Invalid event consumer name: ${JSON.stringify(consumer)}`);
  return consumer;
}

export const RPC_QUEUE_OPTIONS: Options.AssertQueue = { durable: true };

/**
 * Event queues are quorum queues so the broker itself counts deliveries: a nack with requeue
 * bumps `x-delivery-count`, and once it passes `x-delivery-limit` RabbitMQ dead-letters the
 * message to `np.events.dlx`. Counting in a header and republishing would need a second publish
 * per retry (and a confirm) and can lose or duplicate the message between the ack and the
 * republish; the quorum queue does it atomically and survives consumer crashes (a crash counts
 * as a delivery too, so a poison message that kills the process still ends up in the DLQ).
 */
export function eventQueueOptions(consumer: string, retryLimit: number): Options.AssertQueue {
  return {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': retryLimit,
      'x-dead-letter-exchange': DEAD_LETTER_EXCHANGE,
      'x-dead-letter-routing-key': eventQueue(consumer),
    },
  };
}

/** Both event exchanges; every channel that publishes or binds to them declares them first. */
export async function declareEventExchanges(channel: Channel): Promise<void> {
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
}

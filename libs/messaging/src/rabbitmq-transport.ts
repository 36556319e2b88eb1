import { randomUUID } from 'node:crypto';
import { AmqpConnectionManagerClass, type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { AppError, type ModuleName } from '@np/contracts';
import type { Logger, MessagingMetrics } from '@np/observability';
import type { EventEnvelope, EventHandler, ReplyEnvelope, RequestEnvelope, RequestHandler } from './envelopes.js';
import type { SubscribeOptions, Transport } from './transport.js';
import { AvailabilityCache } from './rabbitmq/availability-cache.js';
import { decodeEvent, decodeReply, decodeRequest, encode } from './rabbitmq/codec.js';
import { PendingRequests } from './rabbitmq/pending-requests.js';
import {
  BROADCAST_QUEUE_OPTIONS,
  DEAD_LETTER_EXCHANGE,
  DIRECT_REPLY_TO,
  EVENTS_EXCHANGE,
  REQUEST_ID_HEADER,
  RPC_QUEUE_OPTIONS,
  assertConsumerName,
  deadLetterQueue,
  eventQueue,
  broadcastQueue,
  eventQueueOptions,
  rpcQueue,
  serviceOfAmqpUser,
} from './rabbitmq/topology.js';

export interface RabbitMqTransportOptions {
  url: string;
  /** Unacknowledged messages per consumer: bounds the concurrency of each served module and subscription. */
  prefetch: number;
  logger: Logger;
  metrics?: MessagingMetrics;
  /** Redeliveries of a failing event before it is dead-lettered (default 5). */
  eventRetryLimit?: number;
  /** How long "somebody serves this module" is believed (default 500 ms). */
  availabilityCacheMs?: number;
  /** Delay between reconnect attempts (default 2 s). */
  reconnectSeconds?: number;
  heartbeatSeconds?: number;
  /** `start()` rejects with `bus_unavailable` after this long (default 30 s); reconnects go on. */
  startTimeoutMs?: number;
  /** A publish not confirmed within this long fails with `bus_unavailable` (default 10 s). */
  publishTimeoutMs?: number;
  /** Base of the exponential pause before a failed event is redelivered (default 100 ms, capped at 5 s). */
  eventRetryDelayMs?: number;
  /** Shown in the management UI (and used by tests to find the connection). */
  connectionName?: string;
}

interface ReplyChannel {
  channel: Channel;
  generation: number;
}

const CONTENT_TYPE = 'application/json';
const CLOSE_GRACE_MS = 10_000;
const MAX_RETRY_DELAY_MS = 5_000;

const busUnavailable = (why: string): AppError => new AppError('bus_unavailable', `The message bus is unavailable: ${why}.`);

/**
 * The distributed shape's bus. `amqp-connection-manager` owns the connection and reconnects;
 * every channel re-declares its topology and re-consumes in its setup function, so a broker
 * restart heals without help. Sends never wait for a reconnect: a caller gets `bus_unavailable`
 * at once instead of hanging on the manager's internal buffer, and requests in flight when a
 * channel dies are failed the same way.
 */
export class RabbitMqTransport implements Transport {
  readonly kind = 'rabbitmq' as const;
  private readonly manager: AmqpConnectionManager;
  private readonly logger: Logger;
  private readonly pending = new PendingRequests();
  private readonly availability: AvailabilityCache;
  private readonly wrappers: ChannelWrapper[] = [];
  private readonly served = new Set<ModuleName>();
  private readonly subscribed = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly consumers = new Map<Channel, string[]>();
  private readonly readyWaiters = new Set<() => void>();
  private replies: ReplyChannel | undefined;
  private publisher: ConfirmChannel | undefined;
  /** The user this connection authenticates as: stamped on every message as `user_id`, which the broker validates. */
  private readonly amqpUser: string;
  private generation = 0;
  private startPromise: Promise<void> | undefined;
  private closePromise: Promise<void> | undefined;

  constructor(private readonly options: RabbitMqTransportOptions) {
    this.logger = options.logger.child({ component: 'rabbitmq' });
    this.amqpUser = decodeURIComponent(new URL(options.url).username) || 'guest';
    this.availability = new AvailabilityCache(options.availabilityCacheMs ?? 500, (queue) => this.hasConsumer(queue));
    // Built idle: the first connection attempt is made by start().
    this.manager = new AmqpConnectionManagerClass(options.url, {
      reconnectTimeInSeconds: options.reconnectSeconds ?? 2,
      heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 5,
      // noDelay: bus messages are small request/reply frames; Nagle's algorithm held each one for a
      // delayed ACK and capped the distributed shape at a fraction of its throughput.
      connectionOptions: { noDelay: true, clientProperties: { connection_name: options.connectionName ?? 'np' } },
    });
    this.watchConnection();
  }

  start(): Promise<void> {
    if (this.closePromise) return Promise.reject(busUnavailable('the transport is closed'));
    this.startPromise ??= this.connect();
    return this.startPromise;
  }

  isReady(): boolean {
    return !this.closePromise && this.manager.isConnected() && this.replies !== undefined && this.publisher !== undefined;
  }

  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  // ---- request/reply ------------------------------------------------------------------------

  async request(module: ModuleName, envelope: RequestEnvelope, timeoutMs: number): Promise<ReplyEnvelope> {
    // Not isReady(): while closing, handlers still in flight may call other modules to finish.
    if (!this.manager.isConnected() || !this.replies) throw busUnavailable('not connected to RabbitMQ');
    const deadline = Date.now() + timeoutMs;
    await this.ensureServed(module, timeoutMs);
    const replies = this.replies;
    if (!replies) throw busUnavailable('the connection dropped');
    const reply = this.pending.add(envelope.id, replies.generation, Math.max(1, deadline - Date.now()), () => timeoutError(module, timeoutMs));
    try {
      replies.channel.sendToQueue(rpcQueue(module), encode(envelope), {
        // Requests carry credentials (passwords, access tokens) and are worthless after their
        // timeout: they stay in the broker's memory and never reach its disk.
        persistent: false,
        userId: this.amqpUser,
        correlationId: envelope.id,
        messageId: envelope.id,
        replyTo: DIRECT_REPLY_TO,
        // A request nobody picked up in time is worthless: let the broker drop it.
        expiration: String(timeoutMs),
        contentType: CONTENT_TYPE,
        headers: { [REQUEST_ID_HEADER]: envelope.requestId },
      });
    } catch (error) {
      this.logger.warn({ err: error, module }, 'request send failed');
      this.pending.reject(envelope.id, busUnavailable('the channel closed'));
    }
    return reply;
  }

  async serve(module: ModuleName, handler: RequestHandler): Promise<void> {
    if (this.served.has(module)) throw new Error(`The ${module} module is already served in this process.`);
    this.served.add(module);
    const queue = rpcQueue(module);
    await this.openChannel(`serve:${module}`, false, async (channel) => {
      await channel.assertQueue(queue, RPC_QUEUE_OPTIONS);
      await channel.prefetch(this.options.prefetch);
      await this.consume(channel, queue, (message) => this.handleRequest(channel, message, handler));
    });
  }

  /** Fails fast when nobody consumes the module's queue, instead of letting the caller time out. */
  private async ensureServed(module: ModuleName, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(timeoutError(module, timeoutMs)), timeoutMs);
    });
    try {
      const available = await Promise.race([this.availability.isAvailable(rpcQueue(module)), timeout]);
      if (!available) throw new AppError('module_unavailable', `The ${module} module is not running.`);
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.logger.warn({ err: error, module }, 'availability check failed');
      throw busUnavailable('could not check the module queue');
    } finally {
      clearTimeout(timer);
    }
  }

  /** `checkQueue` on a missing queue closes its channel (404), so every check gets its own channel. */
  private async hasConsumer(queue: string): Promise<boolean> {
    const connection = this.manager.connection;
    if (!connection) throw busUnavailable('not connected to RabbitMQ');
    const channel = await connection.createChannel();
    channel.on('error', () => undefined); // the expected 404 arrives as a channel error
    try {
      const { consumerCount } = await channel.checkQueue(queue);
      return consumerCount > 0;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return false;
      throw error;
    } finally {
      channel.close().catch(() => undefined);
    }
  }

  private async handleRequest(channel: Channel, message: ConsumeMessage, handler: RequestHandler): Promise<void> {
    const request = decodeRequest(message.content);
    // Whatever the body claims, the sender is the user the broker authenticated.
    if (request) request.caller = serviceOfAmqpUser(message.properties.userId) ?? '';
    const reply = request
      ? await Promise.resolve()
          .then(() => handler(request)) // a synchronous throw becomes a reply too
          .catch((error: unknown): ReplyEnvelope => {
          this.logger.error({ err: error, pattern: request.pattern }, 'request handler threw');
          return { ok: false, error: { code: 'internal_error', message: 'The module failed to handle the request.' } };
        })
      : ({ ok: false, error: { code: 'validation_failed', message: 'The request is not a valid JSON envelope.' } } as const);
    const { replyTo, correlationId } = message.properties as { replyTo?: unknown; correlationId?: unknown };
    if (typeof replyTo === 'string' && replyTo.length > 0) {
      this.safely('reply', () =>
        channel.sendToQueue(replyTo, encode(reply), {
          correlationId: typeof correlationId === 'string' ? correlationId : undefined,
          contentType: CONTENT_TYPE,
          headers: { [REQUEST_ID_HEADER]: request?.requestId },
        }),
      );
    }
    // Acked after the reply: a crash in between redelivers the request (at-least-once), and the
    // caller ignores the second reply.
    this.safely('ack', () => channel.ack(message));
  }

  private onReply(message: ConsumeMessage | null): void {
    const correlationId: unknown = message?.properties.correlationId;
    if (!message || typeof correlationId !== 'string') return;
    const reply = decodeReply(message.content);
    if (!reply) {
      this.pending.reject(correlationId, new AppError('internal_error', 'The module sent a malformed reply.'));
      return;
    }
    if (!this.pending.resolve(correlationId, reply)) this.logger.debug({ correlationId }, 'late reply dropped');
  }

  // ---- events -------------------------------------------------------------------------------

  async publish(event: EventEnvelope): Promise<void> {
    const channel = this.publisher;
    if (!this.isReady() || !channel) throw busUnavailable('not connected to RabbitMQ');
    try {
      await withTimeout(this.publishConfirmed(channel, event), this.options.publishTimeoutMs ?? 10_000);
    } catch (error) {
      // A late confirm may still land: the event can then be published twice, which consumers
      // tolerate (they are idempotent by event id); losing it is what we must not do.
      this.logger.warn({ err: error, event: event.name, eventId: event.id }, 'event publish not confirmed');
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
          userId: this.amqpUser,
          messageId: event.id,
          contentType: CONTENT_TYPE,
          timestamp: Math.floor(Date.now() / 1000),
          headers: event.requestId ? { [REQUEST_ID_HEADER]: event.requestId } : {},
        },
        (error: unknown) => (error ? reject(toError(error)) : resolve()),
      );
    });
  }

  async subscribe(consumer: string, patterns: readonly string[], handler: EventHandler, options: SubscribeOptions = {}): Promise<void> {
    assertConsumerName(consumer);
    if (this.subscribed.has(consumer)) throw new Error(`The ${consumer} subscription already exists in this process.`);
    this.subscribed.add(consumer);
    if (options.broadcast) return this.subscribeBroadcast(consumer, patterns, handler, options);
    const queue = eventQueue(consumer);
    await this.openChannel(`events:${consumer}`, false, async (channel) => {
      await declareEventExchanges(channel);
      await channel.assertQueue(deadLetterQueue(consumer), { durable: true });
      await channel.bindQueue(deadLetterQueue(consumer), DEAD_LETTER_EXCHANGE, queue);
      await channel.assertQueue(queue, eventQueueOptions(consumer, this.options.eventRetryLimit ?? 5));
      for (const pattern of patterns) await channel.bindQueue(queue, EVENTS_EXCHANGE, pattern);
      await channel.prefetch(this.options.prefetch);
      await this.consume(channel, queue, (message) => this.handleEvent(channel, consumer, message, handler));
    });
  }

  /** A queue of this process's own, bound like a durable subscription, with no retries: the handler keeps memory state. */
  private async subscribeBroadcast(consumer: string, patterns: readonly string[], handler: EventHandler, options: SubscribeOptions): Promise<void> {
    const queue = broadcastQueue(consumer, randomUUID().slice(0, 8));
    await this.openChannel(`broadcast:${consumer}`, false, async (channel) => {
      await declareEventExchanges(channel);
      await channel.assertQueue(queue, BROADCAST_QUEUE_OPTIONS);
      for (const pattern of patterns) await channel.bindQueue(queue, EVENTS_EXCHANGE, pattern);
      await channel.prefetch(this.options.prefetch);
      await this.consume(channel, queue, async (message) => {
        const event = decodeEvent(message.content);
        if (event) {
          event.publisher = serviceOfAmqpUser(message.properties.userId) ?? '';
          await handler(event).catch((error: unknown) => this.logger.error({ err: error, consumer, event: event.name }, 'broadcast event handler failed'));
        }
        this.safely('ack', () => channel.ack(message));
      });
      options.onSubscribed?.();
    });
  }

  private async handleEvent(channel: Channel, consumer: string, message: ConsumeMessage, handler: EventHandler): Promise<void> {
    const event = decodeEvent(message.content);
    if (event) event.publisher = serviceOfAmqpUser(message.properties.userId) ?? '';
    if (!event) {
      // It can never succeed: straight to the dead-letter queue, no retries.
      this.logger.error({ consumer }, 'malformed event dead-lettered');
      this.safely('nack', () => channel.nack(message, false, false));
      return;
    }
    const attempt = deliveryCount(message) + 1;
    try {
      await handler(event);
      this.safely('ack', () => channel.ack(message));
    } catch (error) {
      const final = attempt > (this.options.eventRetryLimit ?? 5);
      this.logger[final ? 'error' : 'warn'](
        { err: error, consumer, event: event.name, eventId: event.id, attempt },
        final ? 'event handler failed; dead-lettering' : 'event handler failed; will retry',
      );
      if (!final) await sleep(retryDelay(this.options.eventRetryDelayMs ?? 100, attempt));
      // The quorum queue counts this return and dead-letters past x-delivery-limit.
      this.safely('nack', () => channel.nack(message, false, true));
    }
  }

  // ---- channels and connection --------------------------------------------------------------

  private async connect(): Promise<void> {
    await Promise.all([
      this.openChannel('replies', false, async (channel) => {
        await channel.consume(DIRECT_REPLY_TO, (message) => this.onReply(message), { noAck: true });
        const replies = { channel, generation: (this.generation += 1) };
        this.replies = replies;
        channel.once('close', () => this.onReplyChannelClosed(replies));
        this.notifyReadiness();
      }, false),
      this.openChannel('publish', true, async (channel) => {
        await declareEventExchanges(channel);
        this.publisher = channel as ConfirmChannel;
        channel.once('close', () => {
          if (this.publisher === channel) this.publisher = undefined;
        });
        this.notifyReadiness();
      }, false),
    ]);
    this.manager.connect().catch(() => undefined); // failures are logged by connectFailed; retries go on
    await this.waitUntilReady(this.options.startTimeoutMs ?? 30_000);
  }

  private onReplyChannelClosed(replies: ReplyChannel): void {
    if (this.replies === replies) this.replies = undefined;
    this.pending.rejectAll(() => busUnavailable('the connection dropped before the reply'), replies.generation);
  }

  /**
   * A channel whose setup re-runs on every (re)connect. Resolves after the first setup when the
   * transport is started (so `serve` and `subscribe` report a topology error), at once otherwise.
   */
  private async openChannel(name: string, confirm: boolean, setup: (channel: Channel) => Promise<void>, waitForSetup = true): Promise<void> {
    let settle: ((error?: unknown) => void) | undefined;
    const firstSetup = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(toError(error)));
    });
    firstSetup.catch(() => undefined);
    const wrapper = this.manager.createChannel({
      name,
      confirm,
      setup: async (channel: Channel) => {
        this.watchChannel(channel, name);
        try {
          await setup(channel);
          settle?.();
        } catch (error) {
          settle?.(error);
          throw error;
        } finally {
          settle = undefined;
        }
      },
    });
    wrapper.on('error', (error: unknown) => this.logger.error({ err: error, channel: name }, 'AMQP channel setup failed'));
    this.wrappers.push(wrapper);
    if (waitForSetup && this.startPromise) await withTimeout(firstSetup, this.options.startTimeoutMs ?? 30_000);
  }

  private async consume(channel: Channel, queue: string, onMessage: (message: ConsumeMessage) => Promise<void>): Promise<void> {
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (!message) return this.onConsumerCancelled(queue);
      const work = onMessage(message).catch((error: unknown) => this.logger.error({ err: error, queue }, 'message handling failed'));
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    this.consumers.set(channel, [...(this.consumers.get(channel) ?? []), consumerTag]);
  }

  /** The broker cancels a consumer when its queue is deleted: reconnect so setup re-declares it. */
  private onConsumerCancelled(queue: string): void {
    if (this.closePromise) return;
    this.logger.warn({ queue }, 'consumer cancelled by the broker; rebuilding the connection');
    this.manager.reconnect();
  }

  /**
   * The manager only replaces channels on reconnect. A channel that dies alone (a protocol error)
   * would leave its consumer gone for good, so the whole connection is rebuilt instead.
   */
  private watchChannel(channel: Channel, name: string): void {
    const connection = this.manager.connection;
    channel.on('error', (error: unknown) => this.logger.warn({ err: error, channel: name }, 'AMQP channel error'));
    channel.once('close', () => {
      this.consumers.delete(channel);
      setImmediate(() => {
        if (this.closePromise || !this.manager.isConnected() || this.manager.connection !== connection) return;
        this.logger.warn({ channel: name }, 'AMQP channel closed alone; rebuilding the connection');
        this.manager.reconnect();
      });
    });
  }

  private watchConnection(): void {
    this.manager.on('connect', () => this.logger.info('connected to RabbitMQ'));
    this.manager.on('connectFailed', ({ err }: { err: Error }) => this.logger.warn({ err }, 'RabbitMQ connection attempt failed'));
    this.manager.on('disconnect', ({ err }: { err?: Error }) => {
      this.replies = undefined;
      this.publisher = undefined;
      this.availability.clear();
      this.pending.rejectAll(() => busUnavailable('the connection dropped before the reply'));
      if (!this.closePromise) this.logger.warn({ err }, 'disconnected from RabbitMQ; reconnecting');
    });
  }

  private notifyReadiness(): void {
    if (!this.isReady()) return;
    for (const waiter of this.readyWaiters) waiter();
  }

  private waitUntilReady(timeoutMs: number): Promise<void> {
    if (this.isReady()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.readyWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(done);
        reject(busUnavailable(`could not connect to RabbitMQ within ${timeoutMs} ms`));
      }, timeoutMs);
      this.readyWaiters.add(done);
    });
  }

  private async shutdown(): Promise<void> {
    // Stop deliveries first, let handlers in progress finish and ack (their own calls to other
    // modules included, so their replies are still awaited), then fail what is left and close.
    await Promise.allSettled([...this.consumers].flatMap(([channel, tags]) => tags.map((tag) => channel.cancel(tag))));
    await withTimeout(Promise.allSettled([...this.inFlight]), CLOSE_GRACE_MS).catch(() => undefined);
    this.pending.rejectAll(() => busUnavailable('the transport is closing'));
    await this.manager.close();
  }

  /** Channel operations throw once the channel is gone; the broker then redelivers, so log and go on. */
  private safely(what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      this.logger.warn({ err: error }, `AMQP ${what} failed; the broker will redeliver`);
    }
  }
}

async function declareEventExchanges(channel: Channel): Promise<void> {
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true });
  await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
}

function timeoutError(module: ModuleName, timeoutMs: number): AppError {
  return new AppError('module_timeout', `The ${module} module did not answer within ${timeoutMs} ms.`);
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

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

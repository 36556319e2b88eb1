import { AmqpConnectionManagerClass, type AmqpConnectionManager } from 'amqp-connection-manager';
import type { Channel, ConsumeMessage } from 'amqplib';
import { withTimeout } from '@np/contracts';
import type { Logger } from '@np/observability';
import { busUnavailable, toError } from './bus-errors.js';

export interface RabbitMqConnectionOptions {
  url: string;
  logger: Logger;
  reconnectSeconds?: number;
  heartbeatSeconds?: number;
  /** How long a channel opened after `start()` may take for its first setup. */
  startTimeoutMs?: number;
  connectionName?: string;
}

export interface OpenChannelOptions {
  /** A confirm channel (publisher confirms). */
  confirm?: boolean;
  /** Wait for the first setup once the transport is started (default true). */
  waitForSetup?: boolean;
}

/** Handlers still running when the transport closes get this long to reply and ack. */
const CLOSE_GRACE_MS = 10_000;

/**
 * The connection lifecycle: `amqp-connection-manager` owns the connection and reconnects; every
 * channel re-runs its setup (re-declaring its topology and re-consuming) on each reconnect, so a
 * broker restart heals without help. It also tracks consumers and the messages being handled,
 * so closing can stop deliveries and let the work in progress finish.
 */
export class RabbitMqConnection {
  readonly logger: Logger;
  /** The user this connection authenticates as: stamped on every message as `user_id`, which the broker validates. */
  readonly amqpUser: string;
  private readonly manager: AmqpConnectionManager;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly consumers = new Map<Channel, string[]>();
  private readonly disconnectListeners: (() => void)[] = [];
  private started = false;
  private closing = false;

  constructor(private readonly options: RabbitMqConnectionOptions) {
    this.logger = options.logger;
    this.amqpUser = decodeURIComponent(new URL(options.url).username) || 'guest';
    // Built idle: the first connection attempt is made by connect().
    this.manager = new AmqpConnectionManagerClass(options.url, {
      reconnectTimeInSeconds: options.reconnectSeconds ?? 2,
      heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 5,
      // noDelay: bus messages are small request/reply frames; Nagle's algorithm held each one for a
      // delayed ACK and capped the distributed shape at a fraction of its throughput.
      connectionOptions: { noDelay: true, clientProperties: { connection_name: options.connectionName ?? 'np' } },
    });
    this.watchConnection();
  }

  get isClosing(): boolean {
    return this.closing;
  }

  isConnected(): boolean {
    return this.manager.isConnected();
  }

  /** From now on, channels opened with `waitForSetup` wait for their first setup. */
  markStarted(): void {
    this.started = true;
  }

  /** Makes the first connection attempt; failures are logged and retried every `reconnectSeconds`. */
  connect(): void {
    this.manager.connect().catch(() => undefined);
  }

  /** Called on every disconnect, before the reconnect. */
  onDisconnect(listener: () => void): void {
    this.disconnectListeners.push(listener);
  }

  /**
   * A channel whose setup re-runs on every (re)connect. Resolves after the first setup when the
   * transport is started (so `serve` and `subscribe` report a topology error), at once otherwise.
   */
  async openChannel(name: string, setup: (channel: Channel) => Promise<void>, options: OpenChannelOptions = {}): Promise<void> {
    let settle: ((error?: unknown) => void) | undefined;
    const firstSetup = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(toError(error)));
    });
    firstSetup.catch(() => undefined);
    const wrapper = this.manager.createChannel({
      name,
      confirm: options.confirm ?? false,
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
    if ((options.waitForSetup ?? true) && this.started) await withTimeout(firstSetup, this.options.startTimeoutMs ?? 30_000);
  }

  /** A bare channel outside the manager, for one-off operations that may close it (`checkQueue`). */
  async createTemporaryChannel(): Promise<Channel> {
    const connection = this.manager.connection;
    if (!connection) throw busUnavailable('not connected to RabbitMQ');
    return connection.createChannel();
  }

  /** Consumes `queue`, tracking each message's handling so `close()` can wait for it. */
  async consume(channel: Channel, queue: string, onMessage: (message: ConsumeMessage) => Promise<void>): Promise<void> {
    const { consumerTag } = await channel.consume(queue, (message) => {
      if (!message) return this.onConsumerCancelled(queue);
      const work = onMessage(message).catch((error: unknown) => this.logger.error({ err: error, queue }, 'message handling failed'));
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    this.consumers.set(channel, [...(this.consumers.get(channel) ?? []), consumerTag]);
  }

  /** Channel operations throw once the channel is gone; the broker then redelivers, so log and go on. */
  safely(what: string, fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      this.logger.warn({ err: error }, `AMQP ${what} failed; the broker will redeliver`);
    }
  }

  /**
   * Stops deliveries first, lets handlers in progress finish and ack (their own calls to other
   * modules included, so their replies are still awaited), then runs `beforeClose` (failing what is
   * left pending) and closes the connection. Reports closing at once.
   */
  async close(beforeClose: () => void): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.consumers].flatMap(([channel, tags]) => tags.map((tag) => channel.cancel(tag))));
    await withTimeout(Promise.allSettled([...this.inFlight]), CLOSE_GRACE_MS).catch(() => undefined);
    beforeClose();
    await this.manager.close();
  }

  /** The broker cancels a consumer when its queue is deleted: reconnect so setup re-declares it. */
  private onConsumerCancelled(queue: string): void {
    if (this.closing) return;
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
        if (this.closing || !this.manager.isConnected() || this.manager.connection !== connection) return;
        this.logger.warn({ channel: name }, 'AMQP channel closed alone; rebuilding the connection');
        this.manager.reconnect();
      });
    });
  }

  private watchConnection(): void {
    this.manager.on('connect', () => this.logger.info('connected to RabbitMQ'));
    this.manager.on('connectFailed', ({ err }: { err: Error }) => this.logger.warn({ err }, 'RabbitMQ connection attempt failed'));
    this.manager.on('disconnect', ({ err }: { err?: Error }) => {
      for (const listener of this.disconnectListeners) listener();
      if (!this.closing) this.logger.warn({ err }, 'disconnected from RabbitMQ; reconnecting');
    });
  }
}

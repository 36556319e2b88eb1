import type { BusModuleName } from '@np/modules';
import type { Logger, MessagingMetrics } from '@np/observability';
import type { EventEnvelope, EventHandler, ReplyEnvelope, RequestEnvelope, RequestHandler } from './envelopes.js';
import type { SubscribeOptions, Transport } from './transport.js';
import { busUnavailable } from './rabbitmq/bus-errors.js';
import { RabbitMqConnection } from './rabbitmq/connection.js';
import { EventPublisher } from './rabbitmq/event-publisher.js';
import { EventSubscriptions } from './rabbitmq/event-subscriptions.js';
import { Readiness } from './rabbitmq/readiness.js';
import { RpcClient } from './rabbitmq/rpc-client.js';
import { RpcServer } from './rabbitmq/rpc-server.js';

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
  /**
   * How long a request to a module whose queue has no consumer waits in that queue for one (a pod
   * being replaced, a module asleep) before it times out; 0 (default): it fails fast with
   * `module_unavailable`.
   */
  coldStartMs?: number;
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

/**
 * The distributed shape's bus, composed of its parts in `rabbitmq/`: the connection lifecycle
 * (`RabbitMqConnection`: reconnects, channels that re-run their setup, shutdown), the RPC client
 * and server, and events (a confirm-channel publisher and the subscriptions). Sends never wait for
 * a reconnect: a caller gets `bus_unavailable` at once instead of hanging on the manager's
 * internal buffer, and requests in flight when a channel dies are failed the same way.
 */
export class RabbitMqTransport implements Transport {
  readonly kind = 'rabbitmq' as const;
  private readonly connection: RabbitMqConnection;
  private readonly readiness: Readiness;
  private readonly rpcClient: RpcClient;
  private readonly rpcServer: RpcServer;
  private readonly publisher: EventPublisher;
  private readonly subscriptions: EventSubscriptions;
  private startPromise: Promise<void> | undefined;
  private closePromise: Promise<void> | undefined;

  constructor(private readonly options: RabbitMqTransportOptions) {
    this.connection = new RabbitMqConnection({ ...options, logger: options.logger.child({ component: 'rabbitmq' }) });
    this.readiness = new Readiness(() => this.isReady());
    const onReady = (): void => this.readiness.notify();
    this.rpcClient = new RpcClient(this.connection, options.availabilityCacheMs ?? 500, onReady, options.coldStartMs ?? 0);
    this.rpcServer = new RpcServer(this.connection, options.prefetch);
    this.publisher = new EventPublisher(this.connection, {
      publishTimeoutMs: options.publishTimeoutMs ?? 10_000,
      metrics: options.metrics,
      onReady,
      canSend: () => this.isReady(),
    });
    this.subscriptions = new EventSubscriptions(this.connection, {
      prefetch: options.prefetch,
      eventRetryLimit: options.eventRetryLimit ?? 5,
      eventRetryDelayMs: options.eventRetryDelayMs ?? 100,
    });
  }

  start(): Promise<void> {
    if (this.closePromise) return Promise.reject(busUnavailable('the transport is closed'));
    this.startPromise ??= this.connect();
    return this.startPromise;
  }

  isReady(): boolean {
    return !this.connection.isClosing && this.connection.isConnected() && this.rpcClient.isReady() && this.publisher.isReady();
  }

  /** Reports not ready at once, lets the handlers in flight finish, then fails what is left pending. */
  close(): Promise<void> {
    this.closePromise ??= this.connection.close(() => this.rpcClient.failPending('the transport is closing'));
    return this.closePromise;
  }

  request(module: BusModuleName, envelope: RequestEnvelope, timeoutMs: number): Promise<ReplyEnvelope> {
    return this.rpcClient.request(module, envelope, timeoutMs);
  }

  serve(module: BusModuleName, handler: RequestHandler): Promise<void> {
    return this.rpcServer.serve(module, handler);
  }

  publish(event: EventEnvelope): Promise<void> {
    return this.publisher.publish(event);
  }

  subscribe(consumer: string, patterns: readonly string[], handler: EventHandler, options: SubscribeOptions = {}): Promise<void> {
    return this.subscriptions.subscribe(consumer, patterns, handler, options);
  }

  private async connect(): Promise<void> {
    this.connection.markStarted();
    await Promise.all([this.rpcClient.open(), this.publisher.open()]);
    this.connection.connect();
    await this.readiness.wait(this.options.startTimeoutMs ?? 30_000);
  }
}

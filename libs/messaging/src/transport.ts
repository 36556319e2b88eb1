import type { BusModuleName } from '@np/modules';
import type { EventEnvelope, EventHandler, ReplyEnvelope, RequestEnvelope, RequestHandler } from './envelopes.js';

/**
 * What a service sees of the bus. Two implementations share this contract and its test suite:
 * the in-process transport (embedded shape) and RabbitMQ (distributed and cluster shapes).
 *
 * Failures surface as `AppError`s with stable codes:
 * - `module_unavailable` when nobody serves the module (fails fast, no waiting for the timeout),
 * - `module_timeout` when no reply arrives within `timeoutMs`,
 * - `bus_unavailable` when the broker cannot be reached.
 */
export interface Transport {
  readonly kind: 'in-process' | 'rabbitmq';
  start(): Promise<void>;
  close(): Promise<void>;
  /** True while the transport can send and receive. */
  isReady(): boolean;
  request(module: BusModuleName, envelope: RequestEnvelope, timeoutMs: number): Promise<ReplyEnvelope>;
  /** Serves the module's request queue; one server per module per process. */
  serve(module: BusModuleName, handler: RequestHandler): Promise<void>;
  /** Resolves once the event is safely stored by the bus (publisher confirm). */
  publish(event: EventEnvelope): Promise<void>;
  /**
   * A durable subscription named `consumer`, receiving events whose name matches one of
   * `patterns` (topic syntax: `users.user.*`, `users.#`). A handler that throws gets the event
   * again, up to a retry limit, after which it is dead-lettered. Processes subscribing under one
   * name share the work; with `broadcast` each process gets every event instead, on a queue that
   * lives as long as its connection (for in-memory state such as the gateway's revocations).
   */
  subscribe(consumer: string, patterns: readonly string[], handler: EventHandler, options?: SubscribeOptions): Promise<void>;
}

export interface SubscribeOptions {
  broadcast?: boolean;
  /**
   * Called each time the subscription is (re)established. A broadcast queue does not outlive a
   * lost connection, so events published meanwhile are gone: this is the moment to reload state.
   */
  onSubscribed?: () => void;
}

import type { BusModuleName } from '@np/modules';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AppError, withTimeout } from '@np/contracts';
import type { ReplyEnvelope, RequestEnvelope } from '../envelopes.js';
import { AvailabilityCache, type QueueState } from './availability-cache.js';
import { busUnavailable, moduleTimeout } from './bus-errors.js';
import { decodeReply, encode } from './codec.js';
import type { RabbitMqConnection } from './connection.js';
import { PendingRequests } from './pending-requests.js';
import { CONTENT_TYPE, DIRECT_REPLY_TO, REQUEST_ID_HEADER, rpcQueue } from './topology.js';

interface ReplyChannel {
  channel: Channel;
  /** Bumped on every setup: a request sent on one channel can only get its reply on it. */
  generation: number;
}

/**
 * The calling side of request/reply: requests go to `rpc.<module>` with direct reply-to on one
 * channel, and wait in `PendingRequests` until their reply, their timeout, or the channel's end.
 * Nothing waits for a reconnect: a caller gets `bus_unavailable` at once. A module whose queue
 * exists but has no consumer (a pod being replaced, a module asleep) fails fast with
 * `module_unavailable`, unless `coldStartMs` is set: then the request waits in the queue, which
 * holds it until the first consumer takes it, for at least that long.
 */
export class RpcClient {
  private readonly pending = new PendingRequests();
  private readonly availability: AvailabilityCache;
  private replies: ReplyChannel | undefined;
  private generation = 0;

  constructor(
    private readonly connection: RabbitMqConnection,
    availabilityCacheMs: number,
    /** Called after each setup of the reply channel. */
    private readonly onReady: () => void,
    /** How long a request to a module with nobody consuming waits for a consumer; 0: fail fast. */
    private readonly coldStartMs = 0,
  ) {
    this.availability = new AvailabilityCache(availabilityCacheMs, (queue) => this.queueState(queue));
    connection.onDisconnect(() => {
      this.replies = undefined;
      this.availability.clear();
      this.pending.rejectAll(() => busUnavailable('the connection dropped before the reply'));
    });
  }

  /** True while a reply channel is consuming. */
  isReady(): boolean {
    return this.replies !== undefined;
  }

  /** Opens the reply channel; it re-consumes direct reply-to on every reconnect. */
  open(): Promise<void> {
    return this.connection.openChannel(
      'replies',
      async (channel) => {
        await channel.consume(DIRECT_REPLY_TO, (message) => this.onReply(message), { noAck: true });
        const replies = { channel, generation: (this.generation += 1) };
        this.replies = replies;
        channel.once('close', () => this.onReplyChannelClosed(replies));
        this.onReady();
      },
      { waitForSetup: false },
    );
  }

  async request(module: BusModuleName, envelope: RequestEnvelope, timeoutMs: number): Promise<ReplyEnvelope> {
    // Not the transport's readiness: while closing, handlers still in flight may call other modules to finish.
    if (!this.connection.isConnected() || !this.replies) throw busUnavailable('not connected to RabbitMQ');
    const started = Date.now();
    const waitMs = (await this.ensureServed(module, timeoutMs)) === 'idle' ? Math.max(timeoutMs, this.coldStartMs) : timeoutMs;
    const replies = this.replies;
    if (!replies) throw busUnavailable('the connection dropped');
    const reply = this.pending.add(envelope.id, replies.generation, Math.max(1, started + waitMs - Date.now()), () => moduleTimeout(module, waitMs));
    try {
      replies.channel.sendToQueue(rpcQueue(module), encode(envelope), {
        // Requests carry credentials (passwords, access tokens) and are worthless after their
        // timeout: they stay in the broker's memory and never reach its disk.
        persistent: false,
        userId: this.connection.amqpUser,
        correlationId: envelope.id,
        messageId: envelope.id,
        replyTo: DIRECT_REPLY_TO,
        // A request nobody picked up in time is worthless: let the broker drop it.
        expiration: String(waitMs),
        contentType: CONTENT_TYPE,
        headers: { [REQUEST_ID_HEADER]: envelope.requestId },
      });
    } catch (error) {
      this.connection.logger.warn({ err: error, module }, 'request send failed');
      this.pending.reject(envelope.id, busUnavailable('the channel closed'));
    }
    return reply;
  }

  /** Fails every request still waiting (the transport is closing). */
  failPending(why: string): void {
    this.pending.rejectAll(() => busUnavailable(why));
  }

  /**
   * Fails fast when the module's queue does not exist, or nobody consumes it and requests may not
   * wait for a cold start, instead of letting the caller time out.
   */
  private async ensureServed(module: BusModuleName, timeoutMs: number): Promise<QueueState> {
    try {
      const state = await withTimeout(this.availability.stateOf(rpcQueue(module)), timeoutMs, () => moduleTimeout(module, timeoutMs));
      if (state === 'missing' || (state === 'idle' && this.coldStartMs === 0)) {
        throw new AppError('module_unavailable', `The ${module} module is not running.`);
      }
      return state;
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.connection.logger.warn({ err: error, module }, 'availability check failed');
      throw busUnavailable('could not check the module queue');
    }
  }

  /** `checkQueue` on a missing queue closes its channel (404), so every check gets its own channel. */
  private async queueState(queue: string): Promise<QueueState> {
    const channel = await this.connection.createTemporaryChannel();
    channel.on('error', () => undefined); // the expected 404 arrives as a channel error
    try {
      const { consumerCount } = await channel.checkQueue(queue);
      return consumerCount > 0 ? 'served' : 'idle';
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return 'missing';
      throw error;
    } finally {
      channel.close().catch(() => undefined);
    }
  }

  private onReply(message: ConsumeMessage | null): void {
    const correlationId: unknown = message?.properties.correlationId;
    if (!message || typeof correlationId !== 'string') return;
    const reply = decodeReply(message.content);
    if (!reply) {
      this.pending.reject(correlationId, new AppError('internal_error', 'The module sent a malformed reply.'));
      return;
    }
    if (!this.pending.resolve(correlationId, reply)) this.connection.logger.debug({ correlationId }, 'late reply dropped');
  }

  private onReplyChannelClosed(replies: ReplyChannel): void {
    if (this.replies === replies) this.replies = undefined;
    this.pending.rejectAll(() => busUnavailable('the connection dropped before the reply'), replies.generation);
  }
}

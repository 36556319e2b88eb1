import type { BusModuleName } from '@np/modules';
import type { Channel, ConsumeMessage } from 'amqplib';
import { AppError, withTimeout } from '@np/contracts';
import type { ReplyEnvelope, RequestEnvelope } from '../envelopes.js';
import { AvailabilityCache } from './availability-cache.js';
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
 * Nothing waits for a reconnect: a caller gets `bus_unavailable` at once.
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
  ) {
    this.availability = new AvailabilityCache(availabilityCacheMs, (queue) => this.hasConsumer(queue));
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
    const deadline = Date.now() + timeoutMs;
    await this.ensureServed(module, timeoutMs);
    const replies = this.replies;
    if (!replies) throw busUnavailable('the connection dropped');
    const reply = this.pending.add(envelope.id, replies.generation, Math.max(1, deadline - Date.now()), () => moduleTimeout(module, timeoutMs));
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
        expiration: String(timeoutMs),
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

  /** Fails fast when nobody consumes the module's queue, instead of letting the caller time out. */
  private async ensureServed(module: BusModuleName, timeoutMs: number): Promise<void> {
    try {
      const available = await withTimeout(this.availability.isAvailable(rpcQueue(module)), timeoutMs, () => moduleTimeout(module, timeoutMs));
      if (!available) throw new AppError('module_unavailable', `The ${module} module is not running.`);
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.connection.logger.warn({ err: error, module }, 'availability check failed');
      throw busUnavailable('could not check the module queue');
    }
  }

  /** `checkQueue` on a missing queue closes its channel (404), so every check gets its own channel. */
  private async hasConsumer(queue: string): Promise<boolean> {
    const channel = await this.connection.createTemporaryChannel();
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

import type { BusModuleName } from '@np/modules';
import type { Channel, ConsumeMessage } from 'amqplib';

import type { ReplyEnvelope, RequestHandler } from '../envelopes.js';
import { decodeRequest, encode } from './codec.js';
import type { RabbitMqConnection } from './connection.js';
import { CONTENT_TYPE, REQUEST_ID_HEADER, RPC_QUEUE_OPTIONS, rpcQueue, serviceOfAmqpUser } from './topology.js';

/**
 * The answering side of request/reply: consumes `rpc.<module>` (manual acks, prefetch-bounded),
 * hands each request to the module's handler with the caller the broker validated, replies, then acks.
 */
export class RpcServer {
  private readonly served = new Set<BusModuleName>();

  constructor(
    private readonly connection: RabbitMqConnection,
    private readonly prefetch: number,
  ) {}

  async serve(module: BusModuleName, handler: RequestHandler): Promise<void> {
    if (this.served.has(module)) throw new Error(`The ${module} module is already served in this process.`);
    this.served.add(module);
    const queue = rpcQueue(module);
    await this.connection.openChannel(`serve:${module}`, async (channel) => {
      await channel.assertQueue(queue, RPC_QUEUE_OPTIONS);
      await channel.prefetch(this.prefetch);
      await this.connection.consume(channel, queue, (message) => this.handleRequest(channel, message, handler));
    });
  }

  private async handleRequest(channel: Channel, message: ConsumeMessage, handler: RequestHandler): Promise<void> {
    const request = decodeRequest(message.content);
    // Whatever the body claims, the sender is the user the broker authenticated.
    if (request) request.caller = serviceOfAmqpUser(message.properties.userId) ?? '';
    const reply = request
      ? await Promise.resolve()
          .then(() => handler(request)) // a synchronous throw becomes a reply too
          .catch((error: unknown): ReplyEnvelope => {
            this.connection.logger.error({ err: error, pattern: request.pattern }, 'request handler threw');
            return { ok: false, error: { code: 'internal_error', message: 'The module failed to handle the request.' } };
          })
      : ({ ok: false, error: { code: 'validation_failed', message: 'The request is not a valid JSON envelope.' } } as const);
    const { replyTo, correlationId } = message.properties as { replyTo?: unknown; correlationId?: unknown };
    if (typeof replyTo === 'string' && replyTo.length > 0) {
      this.connection.safely('reply', () =>
        channel.sendToQueue(replyTo, encode(reply), {
          correlationId: typeof correlationId === 'string' ? correlationId : undefined,
          contentType: CONTENT_TYPE,
          headers: { [REQUEST_ID_HEADER]: request?.requestId },
        }),
      );
    }
    // Acked after the reply: a crash in between redelivers the request (at-least-once), and the
    // caller ignores the second reply.
    this.connection.safely('ack', () => channel.ack(message));
  }
}

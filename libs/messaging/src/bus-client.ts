import { randomUUID } from 'node:crypto';
import { AppError, messageContract, type MessagePattern, type ReplyOf, type RequestOf } from '@np/contracts';
import { currentRequestId, type MessagingMetrics } from '@np/observability';
import type { Transport } from './transport.js';

export interface CallOptions {
  /** The end user's access token, when the call is made on their behalf. */
  token?: string;
  timeoutMs?: number;
}

/**
 * Typed request/reply over any transport. The request is validated before it leaves (a bug in
 * the sender fails here, not in the receiver) and the reply is validated on arrival.
 */
export class BusClient {
  constructor(
    private readonly transport: Transport,
    private readonly defaultTimeoutMs: number,
    /** The service this client speaks for (see RequestEnvelope.caller). */
    private readonly caller: string,
    private readonly metrics?: MessagingMetrics,
  ) {}

  async call<P extends MessagePattern>(pattern: P, body: RequestOf<P>, options: CallOptions = {}): Promise<ReplyOf<P>> {
    const contract = messageContract(pattern);
    // A sender that did not import the contracts of the module it calls: a bug, caught before sending.
    if (!contract) throw new AppError('internal_error', `No module's contracts registered in this process answer ${pattern}.`);
    const request = contract.request.safeParse(body);
    if (!request.success) {
      throw new AppError('validation_failed', `Invalid ${pattern} request.`, request.error.issues);
    }
    const stopTimer = this.metrics?.rpcDuration.startTimer({ pattern });
    try {
      const reply = await this.transport.request(
        contract.module,
        {
          id: randomUUID(),
          pattern,
          body: request.data,
          requestId: currentRequestId() ?? randomUUID(),
          caller: this.caller,
          ...(options.token === undefined ? {} : { token: options.token }),
        },
        options.timeoutMs ?? this.defaultTimeoutMs,
      );
      if (!reply.ok) throw AppError.fromUnknownPayload(reply.error);
      const parsed = contract.reply.safeParse(reply.body);
      if (!parsed.success) throw new AppError('internal_error', `The ${contract.module} module sent a malformed ${pattern} reply.`);
      stopTimer?.({ outcome: 'ok' });
      return parsed.data as ReplyOf<P>;
    } catch (error) {
      stopTimer?.({ outcome: error instanceof AppError ? error.code : 'internal_error' });
      throw error;
    }
  }
}

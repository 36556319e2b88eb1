import type { ErrorPayload, EventName, MessagePattern } from '@np/contracts';

/** A request/reply message as it travels: the pattern names the handler, the body is validated on arrival. */
export interface RequestEnvelope {
  /** Unique per message; also the AMQP correlation id. */
  id: string;
  pattern: MessagePattern;
  body: unknown;
  /** Correlation id of the HTTP request that caused this message. */
  requestId: string;
  /**
   * The service that sent the message. The sender names itself; RabbitMQ replaces that with the
   * user the broker authenticated (the AMQP `user_id` property, which the broker validates), so
   * in the distributed shapes nobody can speak for another service.
   */
  caller: string;
  /**
   * The end user's access token, forwarded as received. The receiver verifies it itself: a
   * principal is never taken on the sender's word.
   */
  token?: string;
}

export type ReplyEnvelope = { ok: true; body: unknown } | { ok: false; error: ErrorPayload };

/** A domain event (`<module>.<entity>.<verb>`); consumers are idempotent by `id`. */
export interface EventEnvelope {
  id: string;
  name: EventName;
  payload: unknown;
  occurredAt: string;
  requestId?: string;
  /**
   * The user whose request caused the event (the verified token's subject); absent for work no
   * user asked for (sweeps, bootstrap). The audit log's actor.
   */
  actorId?: string;
  /**
   * The service that published it, as the broker authenticated it (RabbitMQ only; the in-process
   * bus has one trusted publisher). An event is accepted only from the module its name starts with.
   */
  publisher?: string;
}

export type RequestHandler = (request: RequestEnvelope) => Promise<ReplyEnvelope>;
export type EventHandler = (event: EventEnvelope) => Promise<void>;

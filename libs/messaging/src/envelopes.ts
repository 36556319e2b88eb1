import type { ErrorPayload, EventName, MessagePattern, Principal } from '@np/contracts';

/** A request/reply message as it travels: the pattern names the handler, the body is validated on arrival. */
export interface RequestEnvelope {
  /** Unique per message; also the AMQP correlation id. */
  id: string;
  pattern: MessagePattern;
  body: unknown;
  /** Correlation id of the HTTP request that caused this message. */
  requestId: string;
  /** The verified caller, when the request came from an authenticated route. */
  principal?: Principal;
}

export type ReplyEnvelope = { ok: true; body: unknown } | { ok: false; error: ErrorPayload };

/** A domain event (`<module>.<entity>.<verb>`); consumers are idempotent by `id`. */
export interface EventEnvelope {
  id: string;
  name: EventName;
  payload: unknown;
  occurredAt: string;
  requestId?: string;
}

export type RequestHandler = (request: RequestEnvelope) => Promise<ReplyEnvelope>;
export type EventHandler = (event: EventEnvelope) => Promise<void>;

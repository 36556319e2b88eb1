import { randomUUID } from 'node:crypto';
import type { EventName, EventPayloadOf } from '@np/contracts';
import type { EventEnvelope } from '@np/messaging';
import { currentRequestId } from '@np/observability';

/** An event envelope for the outbox, carrying the current request's correlation id. */
export function userEvent<E extends EventName>(name: E, payload: EventPayloadOf<E>): EventEnvelope {
  const requestId = currentRequestId();
  return {
    id: randomUUID(),
    name,
    payload,
    occurredAt: new Date().toISOString(),
    ...(requestId === undefined ? {} : { requestId }),
  };
}

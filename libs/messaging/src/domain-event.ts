import { randomUUID } from 'node:crypto';
import type { EventName, EventPayloadOf } from '@np/contracts';
import { currentActorId, currentRequestId } from '@np/observability';
import type { EventEnvelope } from './envelopes.js';

/** A new event envelope for the outbox, carrying the current request's correlation id and the user it acts for. */
export function domainEvent<E extends EventName>(name: E, payload: EventPayloadOf<E>, occurredAt: Date = new Date()): EventEnvelope {
  const requestId = currentRequestId();
  const actorId = currentActorId();
  return {
    id: randomUUID(),
    name,
    payload,
    occurredAt: occurredAt.toISOString(),
    ...(requestId === undefined ? {} : { requestId }),
    ...(actorId === undefined ? {} : { actorId }),
  };
}

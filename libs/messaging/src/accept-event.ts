import { eventSchema, type EventName, type EventPayloadOf } from '@np/contracts';
import type { EventEnvelope } from './envelopes.js';

export type EventVerdict =
  | { accepted: true; name: EventName; payload: EventPayloadOf<EventName> }
  | { accepted: false; reason: 'unknown event' | 'malformed payload' | 'published by a service that does not own it' };

/**
 * Whether a delivered event may be acted on: a known name, a payload that matches its contract,
 * and (when the broker vouches for the publisher) published by the module the name starts with,
 * so no other service can forge `users.user.deleted` or `auth.session.revoked`.
 */
export function acceptEvent(event: EventEnvelope): EventVerdict {
  const schema = eventSchema(event.name);
  if (!schema) return { accepted: false, reason: 'unknown event' };
  if (event.publisher !== undefined && event.publisher !== event.name.split('.')[0]) {
    return { accepted: false, reason: 'published by a service that does not own it' };
  }
  const parsed = schema.safeParse(event.payload);
  if (!parsed.success) return { accepted: false, reason: 'malformed payload' };
  return { accepted: true, name: event.name, payload: parsed.data as EventPayloadOf<EventName> };
}

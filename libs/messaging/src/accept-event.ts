import { eventSchema, type EventName, type EventPayloadOf } from '@np/contracts';
import { MODULE_MANIFEST } from '@np/modules';
import type { EventEnvelope } from './envelopes.js';

export type EventVerdict =
  | { accepted: true; name: EventName; payload: EventPayloadOf<EventName> }
  | { accepted: false; reason: 'unknown event' | 'malformed payload' | 'published by a service that does not own it' };

/** Whether the manifest lists `event` among the events of the module named `publisher`. */
export function publishesEvent(publisher: string, event: string): boolean {
  const entry = MODULE_MANIFEST.find((candidate) => candidate.name === publisher);
  return entry !== undefined && (entry.events as readonly string[]).includes(event);
}

/**
 * Whether a delivered event may be acted on: a known name, a payload that matches its contract,
 * and (when the broker vouches for the publisher) published by the module whose manifest entry
 * lists it, so no other service can forge `users.user.deleted` or `auth.session.revoked` (and a
 * module whose events carry a namespace other than its name, `form-builder`'s `forms.*`, still
 * owns exactly its own).
 */
export function acceptEvent(event: EventEnvelope): EventVerdict {
  const schema = eventSchema(event.name);
  if (!schema) return { accepted: false, reason: 'unknown event' };
  if (event.publisher !== undefined && !publishesEvent(event.publisher, event.name)) {
    return { accepted: false, reason: 'published by a service that does not own it' };
  }
  const parsed = schema.safeParse(event.payload);
  if (!parsed.success) return { accepted: false, reason: 'malformed payload' };
  return { accepted: true, name: event.name, payload: parsed.data as EventPayloadOf<EventName> };
}

// The events reports reads besides the form builder's: importing these contracts registers their schemas.
import '@np/files/contracts';
import '@np/users/contracts';
import { acceptEvent, type EventEnvelope } from '@np/messaging';
import { FORMS_EVENTS, FORMS_PUBLISHER, type FormsEventName } from '../contracts/forms-events.js';

export type StreamVerdict = { accepted: true; payload: unknown } | { accepted: false; reason: string };

function isFormsEvent(name: string): name is FormsEventName {
  return Object.hasOwn(FORMS_EVENTS, name);
}

/**
 * Whether reports may record an event. The platform's own (registered) events go through
 * `acceptEvent`; the form builder's are checked against the schemas reports keeps of them and must
 * come from the form builder; any other event is kept for the audit only when the broker vouches
 * that the module its name starts with published it.
 */
export function acceptStreamEvent(event: EventEnvelope): StreamVerdict {
  const name: string = event.name;
  if (isFormsEvent(name)) {
    if (event.publisher !== undefined && event.publisher !== FORMS_PUBLISHER) return { accepted: false, reason: 'published by a service that does not own it' };
    const parsed = FORMS_EVENTS[name].safeParse(event.payload);
    return parsed.success ? { accepted: true, payload: parsed.data } : { accepted: false, reason: 'malformed payload' };
  }
  const verdict = acceptEvent(event);
  if (verdict.accepted) return { accepted: true, payload: verdict.payload };
  if (verdict.reason !== 'unknown event') return verdict;
  const owner = name.split('.')[0];
  if (event.publisher !== undefined && event.publisher !== owner) return { accepted: false, reason: 'published by a service that does not own it' };
  return { accepted: true, payload: event.payload };
}

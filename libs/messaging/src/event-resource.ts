import type { EventEnvelope } from './envelopes.js';

function idIn(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 && value.length <= 200 ? value : undefined;
}

/**
 * What an event is about, as `<entity>:<id>`: the entity is the middle part of its name
 * (`users.user.updated` → `user`) and the id the payload's `id`, `<entity>.id` or `<entity>Id`
 * (every platform event has one of these). Undefined when the payload names none.
 */
export function eventResource(event: Pick<EventEnvelope, 'name' | 'payload'>): string | undefined {
  const entity = event.name.split('.')[1];
  if (entity === undefined || typeof event.payload !== 'object' || event.payload === null) return undefined;
  const payload = event.payload as Record<string, unknown>;
  const nested = payload[entity];
  const id = idIn(payload.id) ?? (typeof nested === 'object' && nested !== null ? idIn((nested as Record<string, unknown>).id) : undefined) ?? idIn(payload[`${entity}Id`]);
  return id === undefined ? undefined : `${entity}:${id}`;
}

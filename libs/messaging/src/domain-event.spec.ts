import { describe, expect, it } from '@jest/globals';
import type { EventName, EventPayloadOf } from '@np/contracts';
import { runWithRequestContext } from '@np/observability';
import { domainEvent } from './domain-event.js';

// No module's contracts are registered here: any name stands for one.
const name = 'users.user.deleted' as EventName;
const payload = { id: 'x' } as unknown as EventPayloadOf<EventName>;

describe('domainEvent', () => {
  it('carries the request id and the actor of the current request context', () => {
    const event = runWithRequestContext({ requestId: 'req-1', actorId: '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11' }, () => domainEvent(name, payload));
    expect(event).toMatchObject({ name, payload, requestId: 'req-1', actorId: '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11' });
  });

  it('leaves the actor out when no user asked for the work', () => {
    const inRequest = runWithRequestContext({ requestId: 'req-2' }, () => domainEvent(name, payload));
    expect(inRequest.requestId).toBe('req-2');
    expect('actorId' in inRequest).toBe(false);
    const outside = domainEvent(name, payload);
    expect('actorId' in outside || 'requestId' in outside).toBe(false);
  });
});

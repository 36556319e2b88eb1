import { describe, expect, it } from '@jest/globals';
import { decodeEvent, decodeReply, decodeRequest, encode } from './codec.js';
import { eventQueue, eventQueueOptions, rpcQueue } from './topology.js';

describe('envelope codec', () => {
  it('round-trips envelopes', () => {
    const request = { id: '1', pattern: 'users.get' as const, body: { id: 'x' }, requestId: 'r', caller: 'gateway' };
    expect(decodeRequest(encode(request))).toEqual(request);
    expect(decodeReply(encode({ ok: true, body: null }))).toEqual({ ok: true, body: null });
    const event = { id: 'e', name: 'users.user.created' as const, payload: {}, occurredAt: 'now' };
    expect(decodeEvent(encode(event))).toEqual(event);
  });

  it.each(['{not json', '[]', 'null', '"text"', '{"id":1}'])('refuses %s', (text) => {
    const content = Buffer.from(text);
    expect(decodeRequest(content)).toBeUndefined();
    expect(decodeReply(content)).toBeUndefined();
    expect(decodeEvent(content)).toBeUndefined();
  });
});

describe('topology names', () => {
  it('names queues after modules and consumers', () => {
    expect(rpcQueue('users')).toBe('rpc.users');
    expect(eventQueue('auth')).toBe('events.auth');
    expect(eventQueueOptions('auth', 3).arguments).toMatchObject({
      'x-queue-type': 'quorum',
      'x-delivery-limit': 3,
      'x-dead-letter-exchange': 'np.events.dlx',
      'x-dead-letter-routing-key': 'events.auth',
    });
  });

  it('refuses consumer names that are not safe queue names', () => {
    expect(() => eventQueue('Bad Name')).toThrow('Invalid event consumer name');
    expect(() => eventQueue('')).toThrow();
  });
});

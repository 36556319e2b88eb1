import { describe, expect, it } from '@jest/globals';
import { type EventName, registerModuleContracts } from '@np/contracts';
import { z } from 'zod';
import { acceptEvent, publishesEvent } from './accept-event.js';
import type { EventEnvelope } from './envelopes.js';

// Stand-ins for the two modules' contracts: the rule reads only event names and the manifest.
const anything = z.object({}).loose();
registerModuleContracts({
  module: 'users',
  messages: {},
  events: { 'users.user.created': anything, 'users.user.updated': anything, 'users.user.deleted': anything },
  routes: [],
});
registerModuleContracts({
  module: 'form-builder',
  messages: {},
  events: { 'forms.form.published': anything, 'forms.submission.created': anything, 'forms.submission.updated': anything },
  routes: [],
});

/** Any name, known or not: the wire carries whatever a publisher wrote. */
function envelope(name: string, publisher: string | undefined): EventEnvelope {
  return { id: '5f0c7d2e-8d0c-4b7a-9f3e-2d8c1b6a4e10', name: name as EventName, payload: {}, occurredAt: new Date(0).toISOString(), ...(publisher === undefined ? {} : { publisher }) };
}

describe('acceptEvent', () => {
  it('lets form-builder publish the forms.* events its manifest entry lists', () => {
    expect(acceptEvent(envelope('forms.submission.created', 'form-builder'))).toMatchObject({ accepted: true });
    expect(acceptEvent(envelope('forms.form.published', 'form-builder'))).toMatchObject({ accepted: true });
  });

  it('refuses forms.* events from users, and users.* events from form-builder', () => {
    expect(acceptEvent(envelope('forms.submission.created', 'users'))).toEqual({ accepted: false, reason: 'published by a service that does not own it' });
    expect(acceptEvent(envelope('users.user.deleted', 'form-builder'))).toEqual({ accepted: false, reason: 'published by a service that does not own it' });
    expect(acceptEvent(envelope('users.user.deleted', 'users'))).toMatchObject({ accepted: true });
  });

  it('refuses a publisher the manifest does not know, and events nobody registered', () => {
    expect(acceptEvent(envelope('forms.submission.created', 'forms'))).toMatchObject({ accepted: false });
    expect(acceptEvent(envelope('forms.form.deleted', 'form-builder'))).toEqual({ accepted: false, reason: 'unknown event' });
    expect(publishesEvent('', 'users.user.deleted')).toBe(false);
  });

  it('takes an event without a vouched publisher on its name alone (the in-process bus)', () => {
    expect(acceptEvent(envelope('forms.submission.updated', undefined))).toMatchObject({ accepted: true });
  });
});

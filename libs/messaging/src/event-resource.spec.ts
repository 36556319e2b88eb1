import { describe, expect, it } from '@jest/globals';
import { eventResource } from './event-resource.js';

describe('eventResource', () => {
  it.each([
    ['users.user.created', { user: { id: 'u1', email: 'a@b.c' } }, 'user:u1'],
    ['users.user.deleted', { id: 'u2', email: 'a@b.c' }, 'user:u2'],
    ['files.file.uploaded', { id: 'f1', ownerId: 'u1' }, 'file:f1'],
    ['auth.session.revoked', { sessionId: 's1', userId: 'u1' }, 'session:s1'],
    ['auth.user.tokens-revoked', { userId: 'u3' }, 'user:u3'],
    ['forms.form.published', { formId: 'form1', version: 1 }, 'form:form1'],
    ['forms.submission.updated', { submission: { id: 'sub1' } }, 'submission:sub1'],
  ])('%s → its resource', (name, payload, resource) => {
    expect(eventResource({ name: name as never, payload })).toBe(resource);
  });

  it('answers undefined when the payload names no id', () => {
    expect(eventResource({ name: 'users.user.created' as never, payload: { other: 1 } })).toBeUndefined();
    expect(eventResource({ name: 'users' as never, payload: { id: 'x' } })).toBeUndefined();
    expect(eventResource({ name: 'users.user.created' as never, payload: null })).toBeUndefined();
  });
});

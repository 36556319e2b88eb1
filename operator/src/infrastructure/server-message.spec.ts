import { describe, expect, it } from '@jest/globals';
import { serverMessage } from './server-message.js';

describe('serverMessage', () => {
  it("takes fetch's cause and every address an AggregateError tried", () => {
    expect(serverMessage(new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }))).toBe('connect ECONNREFUSED 127.0.0.1:9');
    const both = new AggregateError([new Error('connect ECONNREFUSED ::1:9'), new Error('connect ECONNREFUSED 127.0.0.1:9')], '');
    expect(serverMessage(both)).toBe('connect ECONNREFUSED ::1:9; connect ECONNREFUSED 127.0.0.1:9');
  });

  it('reads errors by shape (another realm) and anything else as text', () => {
    expect(serverMessage({ message: 'password authentication failed for user "x"' })).toBe('password authentication failed for user "x"');
    expect(serverMessage('down')).toBe('down');
  });
});

import { describe, expect, it } from '@jest/globals';
import { MASK, maskSecrets } from './mask-secrets.js';

describe('maskSecrets', () => {
  it('masks secret-like keys at any depth, keeps the rest', () => {
    const masked = maskSecrets({
      user: { id: 'u1', email: 'a@b.c', password: 'hunter2', profile: { apiKey: 'k', api_key: 'k', clientSecret: 's' } },
      changed: ['password'],
      tokens: [{ accessToken: 't', refresh_token: 'r' }],
      signingKey: 'x',
      key: 'y',
      passwordHash: 'h',
      keyboard: 'qwerty',
      sessionId: 's1',
    });
    expect(masked).toEqual({
      user: { id: 'u1', email: 'a@b.c', password: MASK, profile: { apiKey: MASK, api_key: MASK, clientSecret: MASK } },
      changed: ['password'],
      tokens: MASK,
      signingKey: MASK,
      key: MASK,
      passwordHash: MASK,
      keyboard: 'qwerty',
      sessionId: 's1',
    });
  });

  it('leaves scalars and null as they are', () => {
    expect(maskSecrets(null)).toBeNull();
    expect(maskSecrets('password')).toBe('password');
    expect(maskSecrets([1, { secret: 2 }])).toEqual([1, { secret: MASK }]);
  });
});

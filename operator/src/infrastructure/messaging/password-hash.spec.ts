import { describe, expect, it } from '@jest/globals';
import { matchesPasswordHash, rabbitPasswordHash } from './password-hash.js';

describe('RabbitMQ password hashes', () => {
  // As RabbitMQ 3.10.8 answered GET /api/users/<name> for a user created with password "secret".
  const fromTheBroker = '3fS+7fir/uX+P7q4mrkE7wDone6xtuyrDZ0U0ktjW4kUEBwL';

  it("recognises the password behind a hash the broker made, and no other", () => {
    expect(matchesPasswordHash('secret', fromTheBroker, 'rabbit_password_hashing_sha256')).toBe(true);
    expect(matchesPasswordHash('Secret', fromTheBroker, 'rabbit_password_hashing_sha256')).toBe(false);
  });

  it('counts an unknown algorithm or a missing hash as a mismatch, so the password is set again', () => {
    expect(matchesPasswordHash('secret', fromTheBroker, 'rabbit_password_hashing_bcrypt')).toBe(false);
    expect(matchesPasswordHash('secret', '', 'rabbit_password_hashing_sha256')).toBe(false);
    expect(matchesPasswordHash('secret', 'AAAA', 'rabbit_password_hashing_sha256')).toBe(false);
  });

  it('makes hashes in the same scheme, with a fresh salt each time', () => {
    const salt = Buffer.from(fromTheBroker, 'base64').subarray(0, 4);
    expect(rabbitPasswordHash('secret', salt)).toBe(fromTheBroker);
    const [one, two] = [rabbitPasswordHash('secret'), rabbitPasswordHash('secret')];
    expect(one).not.toBe(two);
    expect(matchesPasswordHash('secret', one, 'rabbit_password_hashing_sha256')).toBe(true);
  });
});

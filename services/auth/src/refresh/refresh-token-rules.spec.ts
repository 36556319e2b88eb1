import { describe, expect, it } from '@jest/globals';
import { classifyRefreshToken, hashRefreshToken, newRefreshTokenValue } from './refresh-token-rules.js';

const now = new Date('2026-01-01T12:00:00Z');
const later = new Date('2026-01-02T12:00:00Z');
const earlier = new Date('2025-12-31T12:00:00Z');

describe('classifyRefreshToken', () => {
  it.each([
    ['an unused, unexpired token', { expiresAt: later }, 'active'],
    ['an expired token', { expiresAt: now }, 'invalid'],
    ['a used token', { expiresAt: later, usedAt: earlier }, 'reused'],
    ['a used token past expiry', { expiresAt: earlier, usedAt: earlier }, 'reused'],
    ['a revoked token', { expiresAt: later, revokedAt: earlier }, 'invalid'],
    ['a used token of a revoked family', { expiresAt: later, usedAt: earlier, revokedAt: earlier }, 'invalid'],
  ])('%s is %s', (_name, token, expected) => {
    expect(classifyRefreshToken(token, now)).toBe(expected);
  });
});

describe('refresh token values', () => {
  it('are 32 random bytes in base64url, hashed with SHA-256', () => {
    const value = newRefreshTokenValue();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newRefreshTokenValue()).not.toBe(value);
    expect(hashRefreshToken(value)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(value)).toBe(hashRefreshToken(value));
  });
});

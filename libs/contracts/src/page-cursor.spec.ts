import { describe, expect, it } from '@jest/globals';
import { AppError } from './app-error.js';
import { decodePageCursor as decodeCursor, encodePageCursor as encodeCursor } from './page-cursor.js';

describe('page cursor', () => {
  it('round-trips a position as an opaque base64url token', () => {
    const cursor = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '0b4e1d1e-3a8e-4c43-9d8e-2f9b7f2f6a11' };
    const token = encodeCursor(cursor);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token)).toEqual(cursor);
  });

  it.each([
    ['not base64 json', 'garbage'],
    ['wrong shape', Buffer.from(JSON.stringify({ createdAt: 'x', id: 'y' })).toString('base64url')],
    ['extra fields', Buffer.from(JSON.stringify({ createdAt: '2026-01-01T00:00:00.000Z', id: '0b4e1d1e-3a8e-4c43-9d8e-2f9b7f2f6a11', admin: true })).toString('base64url')],
    ['json array', Buffer.from('[]').toString('base64url')],
  ])('rejects %s with validation_failed', (_label, token) => {
    expect(() => decodeCursor(token)).toThrow(AppError);
    try {
      decodeCursor(token);
    } catch (error) {
      expect((error as AppError).code).toBe('validation_failed');
    }
  });
});

import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor } from './file-cursor.js';

describe('file cursors', () => {
  it('round-trips', () => {
    const cursor = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('refuses one it did not make', () => {
    expect(() => decodeCursor('bm90IGEgY3Vyc29y')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});

import { describe, expect, it } from '@jest/globals';
import { containsPattern } from './like-pattern.js';

describe('containsPattern', () => {
  it('wraps the text in % and escapes LIKE wildcards and the escape character', () => {
    expect(containsPattern('ada')).toBe('%ada%');
    expect(containsPattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });
});

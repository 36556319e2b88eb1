import { describe, expect, it } from '@jest/globals';
import { topicMatches } from './topic-matches.js';

describe('topicMatches', () => {
  it.each([
    ['users.user.created', 'users.user.created', true],
    ['users.user.*', 'users.user.created', true],
    ['users.*', 'users.user.created', false],
    ['users.#', 'users.user.created', true],
    ['#', 'anything.at.all', true],
    ['#.deleted', 'users.user.deleted', true],
    ['users.*.deleted', 'users.user.created', false],
  ])('%s matches %s: %s', (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});

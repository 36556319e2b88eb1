import { describe, expect, it } from '@jest/globals';
import { dispositionOf, etagOf, matchesIfNoneMatch, rangeOf } from './content-headers.js';

const etag = etagOf('a'.repeat(64));

describe('rangeOf', () => {
  it.each([
    ['bytes=0-9', { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=-10', { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=95-', { kind: 'partial', range: { start: 95, end: 99 } }],
    ['bytes=90-200', { kind: 'partial', range: { start: 90, end: 99 } }],
    ['bytes=100-', { kind: 'unsatisfiable' }],
    ['bytes=200-300', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', { kind: 'whole' }],
    ['bytes=abc', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
  ])('%s of 100 bytes', (header, answer) => {
    expect(rangeOf(header, 100, undefined, etag)).toEqual(answer);
  });

  it('serves the whole file when If-Range names another version', () => {
    expect(rangeOf('bytes=0-9', 100, '"other"', etag)).toEqual({ kind: 'whole' });
    expect(rangeOf('bytes=0-9', 100, etag, etag)).toEqual({ kind: 'partial', range: { start: 0, end: 9 } });
  });
});

describe('matchesIfNoneMatch', () => {
  it('compares weakly and knows *', () => {
    expect(matchesIfNoneMatch(etag, etag)).toBe(true);
    expect(matchesIfNoneMatch(`"x", W/${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch('*', etag)).toBe(true);
    expect(matchesIfNoneMatch('"x"', etag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, etag)).toBe(false);
  });
});

describe('dispositionOf', () => {
  it('quotes names and gives non-ASCII ones an encoded form', () => {
    expect(dispositionOf('report.pdf', 'attachment')).toBe('attachment; filename=report.pdf');
    expect(dispositionOf('say "hi".txt', 'inline')).toBe('inline; filename="say \\"hi\\".txt"');
    expect(dispositionOf('résumé.pdf', 'attachment')).toBe('attachment; filename="r?sum?.pdf"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.pdf');
  });
});

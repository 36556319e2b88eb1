import { describe, expect, it } from '@jest/globals';
import { AppError } from './app-error.js';
import { assertSafeStrings, findUnsafeStrings, isSafeString } from './unsafe-strings.js';

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';

describe('isSafeString', () => {
  it('accepts ordinary text, including astral characters written as surrogate pairs', () => {
    expect(isSafeString('Zoë 😀 名前')).toBe(true);
    expect(isSafeString('')).toBe(true);
  });

  it('refuses a NUL character and unpaired surrogates', () => {
    expect(isSafeString('a\0b')).toBe(false);
    expect(isSafeString(`a${LONE_HIGH}`)).toBe(false);
    expect(isSafeString(`${LONE_LOW}b`)).toBe(false);
  });
});

describe('findUnsafeStrings', () => {
  it('names each unsafe string by its path, in nested objects and arrays', () => {
    const body = { displayName: 'ok', email: 'a\0@b.co', roles: ['admin', `x${LONE_HIGH}`], nested: { deep: [{ text: 'n\0' }] } };
    expect(findUnsafeStrings(body, 'body').map((issue) => issue.path)).toEqual(['body.email', 'body.nested.deep.0.text', 'body.roles.1']);
  });

  it('reports an unsafe key at its parent without echoing it', () => {
    const issues = findUnsafeStrings({ nested: { 'k\0': 'v' } }, 'body');
    expect(issues).toEqual([{ path: 'body.nested', message: expect.stringContaining('field name') }]);
    expect(JSON.stringify(issues)).not.toContain('k\\u0000');
  });

  it('finds nothing in safe values and ignores non-strings', () => {
    expect(findUnsafeStrings({ limit: 20, ok: true, none: null, list: [1, 'two'] }, 'query')).toEqual([]);
    expect(findUnsafeStrings(undefined, 'body')).toEqual([]);
  });

  it('walks a deeply nested value without overflowing the stack', () => {
    let value: unknown = 'bad\0';
    for (let depth = 0; depth < 100_000; depth += 1) value = [value];
    expect(findUnsafeStrings(value, 'body')).toHaveLength(1);
  });
});

describe('assertSafeStrings', () => {
  it('throws validation_failed with one detail per unsafe field across parts', () => {
    let thrown: unknown;
    try {
      assertSafeStrings({ params: { id: '\0' }, query: { q: LONE_HIGH }, body: { displayName: 'fine' } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).code).toBe('validation_failed');
    expect(((thrown as AppError).details as { path: string }[]).map((issue) => issue.path)).toEqual(['params.id', 'query.q']);
  });

  it('passes safe parts through', () => {
    expect(() => assertSafeStrings({ params: { id: 'abc' }, body: { displayName: 'Zoë' } })).not.toThrow();
  });
});

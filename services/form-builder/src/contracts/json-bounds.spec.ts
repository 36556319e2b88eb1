import { describe, expect, it } from '@jest/globals';
import { parseOrThrow } from '@np/contracts';
import { createFormRequestSchema, createSubmissionBodySchema } from './form-builder.schemas.js';
import { firstTooDeep } from './json-bounds.js';

function nestedText(depth: number): string {
  return `${'{"type":"object","properties":{"a":'.repeat(depth)}{}${'}}'.repeat(depth)}`;
}

describe('bounded JSON in the requests (parsed where the gateway parses them)', () => {
  it('finds the first place too deep without recursion, 10,000 levels down', () => {
    const value: unknown = JSON.parse(nestedText(10_000));
    expect(firstTooDeep(value, 32, '/dataSchema')).toMatch(/^\/dataSchema(\/properties\/a){16}$/);
    expect(firstTooDeep({ a: [1, { b: 2 }] }, 32, '')).toBeUndefined();
  });

  it('refuses a 10,000-deep definition or submission with validation_failed and a pointer', () => {
    const body: unknown = JSON.parse(`{"name":"deep","dataSchema":${nestedText(10_000)}}`);
    let caught: unknown;
    try {
      parseOrThrow(createFormRequestSchema, body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'validation_failed', details: [{ path: 'body.dataSchema', pointer: expect.stringMatching(/^\/dataSchema\/properties\/a/) as unknown as string }] });
    expect(() => parseOrThrow(createSubmissionBodySchema, { data: JSON.parse(nestedText(100)) as unknown })).toThrow(expect.objectContaining({ code: 'validation_failed' }) as unknown as Error);
  });
});

describe('JSON objects in the contracts', () => {
  it('takes a plain object as it is and refuses arrays, strings and null', () => {
    const data = { a: 1, nested: { b: [1, 2] } };
    const parsed = createSubmissionBodySchema.parse({ data });
    expect(parsed.data).toBe(data);
    for (const bad of [[1], 'x', null]) expect(createSubmissionBodySchema.safeParse({ data: bad }).success).toBe(false);
  });

  it('finds the same first place too deep whatever the shape: arrays and objects count alike, primitives not at all', () => {
    const deep = { a: [{ b: { c: 1 } }] };
    expect(firstTooDeep(deep, 3, '')).toBe('/a/0/b');
    expect(firstTooDeep(deep, 4, '')).toBeUndefined();
    expect(firstTooDeep({ 'x/y': { '~': {} } }, 2, '/data')).toBe('/data/x~1y/~0');
    expect(firstTooDeep('text', 0, '')).toBeUndefined();
  });
});

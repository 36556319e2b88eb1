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

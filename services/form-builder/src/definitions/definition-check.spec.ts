import { describe, expect, it } from '@jest/globals';
import { checkDefinition } from './definition-check.js';

type Json = Record<string, unknown>;

function nested(depth: number): Json {
  let schema: Json = { type: 'string' };
  for (let level = 0; level < depth; level += 1) schema = { type: 'object', properties: { a: schema } };
  return schema;
}

const pointers = (dataSchema: Json, uiSchema?: Json) => checkDefinition({ dataSchema, uiSchema }).map((problem) => problem.pointer);

describe('checkDefinition', () => {
  it('accepts a 2020-12 object schema with formats, if/then, $defs references, file fields and JSON Forms rules', () => {
    const dataSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      $defs: { email: { type: 'string', format: 'email' } },
      properties: {
        email: { $ref: '#/$defs/email' },
        hasPet: { type: 'boolean' },
        petName: { type: 'string', pattern: '^[A-Z][a-z]+$' },
        photo: { type: 'string', format: 'uuid', 'x-np-file': true, 'x-np-max-bytes': 1000, 'x-np-content-types': ['image/*'] },
      },
      required: ['email'],
      if: { properties: { hasPet: { const: true } }, required: ['hasPet'] },
      then: { required: ['petName'] },
    };
    const uiSchema = {
      type: 'VerticalLayout',
      elements: [
        { type: 'Control', scope: '#/properties/email' },
        { type: 'Control', scope: '#/properties/photo', rule: { effect: 'SHOW', condition: { scope: '#/properties/hasPet', schema: { const: true } } } },
      ],
    };
    expect(checkDefinition({ dataSchema, uiSchema })).toEqual([]);
  });

  it('refuses unknown keywords at their pointer', () => {
    expect(pointers({ type: 'object', properties: { a: { type: 'string', maxlength: 3 } } })).toEqual(['/dataSchema/properties/a/maxlength']);
    expect(pointers({ type: 'object', colour: 'red' })).toEqual(['/dataSchema/colour']);
  });

  it('refuses remote references and absolute $ids', () => {
    expect(pointers({ type: 'object', properties: { a: { $ref: 'https://evil.example/schema.json' } } })).toEqual(['/dataSchema/properties/a/$ref']);
    expect(pointers({ type: 'object', $id: 'https://evil.example/base' })).toEqual(['/dataSchema/$id']);
    expect(pointers({ type: 'object', properties: { a: { $ref: 'other.json#/x' } } })).toEqual(['/dataSchema/properties/a/$ref']);
  });

  it('refuses definitions nested deeper than 32 levels, 10,000 deep included, without recursion', () => {
    expect(pointers(nested(10)).length).toBe(0);
    const problems = checkDefinition({ dataSchema: nested(10_000), uiSchema: undefined });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/deeper than 32/);
    expect(problems[0]?.pointer.startsWith('/dataSchema/properties/a/properties/a')).toBe(true);
  });

  it('refuses a definition over 256 KiB', () => {
    const properties = Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`field${index}`, { type: 'string', description: 'x'.repeat(100) }]));
    expect(checkDefinition({ dataSchema: { type: 'object', properties }, uiSchema: undefined })).toEqual([{ pointer: '/dataSchema', message: expect.stringMatching(/more than 262144/) as unknown as string }]);
  });

  it('refuses patterns the linear-time engine cannot run (backreferences, lookahead), accepts catastrophic-looking ones it can', () => {
    expect(pointers({ type: 'object', properties: { a: { type: 'string', pattern: '(a)\\1' } } })).toEqual(['/dataSchema/properties/a/pattern']);
    expect(pointers({ type: 'object', patternProperties: { '^(?=x)': { type: 'string' } } })).toEqual(['/dataSchema/patternProperties/^(?=x)']);
    expect(pointers({ type: 'object', properties: { a: { type: 'string', pattern: '^(a+)+$' } } })).toEqual([]);
  });

  it("refuses what ajv's meta-schema refuses, a root that is not an object, unknown formats, and bad UI rules", () => {
    expect(pointers({ type: 'object', properties: { a: { type: 'strin' } } })).toEqual(expect.arrayContaining(['/dataSchema/properties/a/type']));
    expect(pointers({ type: 'array' })).toEqual(['/dataSchema/type']);
    expect(pointers({ type: 'object', properties: { a: { type: 'string', format: 'no-such-format' } } })).toEqual(['/dataSchema']);
    expect(pointers({ type: 'object' }, { type: 'Control', scope: 'properties/a' })).toEqual(['/uiSchema/scope']);
    expect(pointers({ type: 'object' }, { type: 'VerticalLayout', elements: [{ type: 'Control', scope: '#/properties/a', rule: { effect: 'BLINK' } }] })).toEqual(['/uiSchema/elements/0/rule/effect']);
    expect(pointers({ type: 'object' }, { type: 'Group', rule: { effect: 'HIDE', condition: { scope: '#/properties/a', schema: { $ref: 'http://x/y' } } } })).toEqual(['/uiSchema/rule/condition/schema/$ref']);
  });
});

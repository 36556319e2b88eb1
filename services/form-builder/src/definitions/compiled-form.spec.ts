import { describe, expect, it } from '@jest/globals';
import { CompiledForm } from './compiled-form.js';

const dataSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    contact: { type: 'string', enum: ['email', 'phone'] },
    email: { type: 'string', format: 'email' },
    phone: { type: 'string', pattern: '^[0-9+ ]+$' },
    employed: { type: 'boolean' },
    employer: { type: 'string' },
  },
  required: ['name', 'contact', 'employer'],
  if: { properties: { contact: { const: 'email' } }, required: ['contact'] },
  then: { required: ['email'] },
  else: { required: ['phone'] },
};
// employer is required, but hidden (and so neither required nor stored) unless employed.
const uiSchema = {
  type: 'VerticalLayout',
  elements: [
    { type: 'Control', scope: '#/properties/name' },
    { type: 'Control', scope: '#/properties/employer', rule: { effect: 'SHOW', condition: { scope: '#/properties/employed', schema: { const: true } } } },
  ],
};

describe('CompiledForm', () => {
  const form = new CompiledForm(dataSchema, uiSchema);

  it('does not require, and does not store, a required field hidden by a rule', () => {
    const outcome = form.check({ name: 'Ada', contact: 'email', email: 'ada@example.com', employer: 'kept?' }, 'submitted');
    expect(outcome).toEqual({ data: { name: 'Ada', contact: 'email', email: 'ada@example.com' }, problems: [] });
    const shown = form.check({ name: 'Ada', contact: 'email', email: 'ada@example.com', employed: true }, 'submitted');
    expect(shown.problems).toEqual([{ pointer: '/employer', message: 'is required' }]);
  });

  it('never modifies the data it is given: a hidden field is removed from a copy, and with nothing to remove the data is taken as it is', () => {
    const input = { name: 'Ada', contact: 'email', email: 'ada@example.com', phone: '+44 1', employer: 'hidden' };
    const outcome = form.check(input, 'submitted');
    expect(outcome.data).toEqual({ name: 'Ada', contact: 'email', email: 'ada@example.com' });
    expect(input).toEqual({ name: 'Ada', contact: 'email', email: 'ada@example.com', phone: '+44 1', employer: 'hidden' });
    const nothingHidden = { name: 'Ada', contact: 'email', email: 'ada@example.com' };
    expect(form.check(nothingHidden, 'submitted').data).toBe(nothingHidden);
  });

  it('takes the if/then branch: the other branch\'s field is not required and not stored', () => {
    const outcome = form.check({ name: 'Ada', contact: 'email', email: 'ada@example.com', phone: '+44 1' }, 'submitted');
    expect(outcome).toEqual({ data: { name: 'Ada', contact: 'email', email: 'ada@example.com' }, problems: [] });
    const phone = form.check({ name: 'Ada', contact: 'phone', email: 'dropped@example.com' }, 'submitted');
    expect(phone.problems).toEqual([{ pointer: '/phone', message: 'is required' }]);
    expect(phone.data).toEqual({ name: 'Ada', contact: 'phone' });
  });

  it('refuses unknown fields and reports every problem at its pointer', () => {
    const outcome = form.check({ name: '', contact: 'fax', extra: 1 }, 'submitted');
    expect(outcome.problems).toEqual(
      expect.arrayContaining([
        { pointer: '/extra', message: 'is not a field of this form' },
        { pointer: '/name', message: expect.any(String) as unknown as string },
        { pointer: '/contact', message: expect.any(String) as unknown as string },
      ]),
    );
  });

  it('skips required for drafts but still checks what is there', () => {
    expect(form.check({ name: 'Ada' }, 'draft').problems).toEqual([]);
    expect(form.check({ email: 'not an email', contact: 'email' }, 'draft').problems).toEqual([{ pointer: '/email', message: 'must match format "email"' }]);
    expect(form.check({ surprise: true }, 'draft').problems).toEqual([{ pointer: '/surprise', message: 'is not a field of this form' }]);
  });

  it('never leaves the input changed', () => {
    const input = { name: 'Ada', contact: 'email', email: 'ada@example.com', phone: '1' };
    form.check(input, 'submitted');
    expect(input).toEqual({ name: 'Ada', contact: 'email', email: 'ada@example.com', phone: '1' });
  });

  it('runs a catastrophic pattern in linear time: a long hostile input is simply refused', () => {
    const hostile = new CompiledForm({ type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } }, null);
    expect(hostile.check({ code: `${'a'.repeat(100_000)}!` }, 'submitted').problems).toEqual([{ pointer: '/code', message: 'must match pattern "^(a+)+$"' }]);
    expect(hostile.check({ code: 'aaaa' }, 'submitted').problems).toEqual([]);
  });

  it('finds the file fields, nested and in arrays', () => {
    const files = new CompiledForm(
      {
        type: 'object',
        properties: {
          cv: { type: 'string', format: 'uuid', 'x-np-file': true, 'x-np-max-bytes': 10 },
          photos: { type: 'array', items: { type: 'string', format: 'uuid', 'x-np-file': true, 'x-np-content-types': ['image/*'] } },
        },
      },
      null,
    );
    expect(files.fileFields).toEqual([
      { path: ['cv'], maxBytes: 10, contentTypes: undefined },
      { path: ['photos', '*'], maxBytes: undefined, contentTypes: ['image/*'] },
    ]);
  });
});

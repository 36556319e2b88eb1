import { describe, expect, it } from '@jest/globals';
import { toQuestionMarks } from './orm-sql.js';

describe('toQuestionMarks', () => {
  it('turns $n placeholders into ? with the parameters in placeholder order', () => {
    expect(toQuestionMarks('select $2, $1, $2', ['a', 'b'])).toEqual({ text: 'select ?, ?, ?', values: ['b', 'a', 'b'] });
  });

  it('passes arrays as PostgreSQL array literals', () => {
    expect(toQuestionMarks('where id = any($1::uuid[])', [['a', 'b"c', null]]).values).toEqual(['{"a","b\\"c",NULL}']);
  });
});

import { describe, expect, it } from '@jest/globals';
import { type RecordColumn, RecordColumns } from './record-columns.js';

interface Row {
  id: string;
  body: { a: number };
  changedAt: string;
  createdAt: string;
}

const key: RecordColumn<Row> = { name: 'id', value: (row) => row.id, fixed: true };
const columns = new RecordColumns<Row>(
  [key, { name: 'body', cast: 'jsonb', value: (row) => JSON.stringify(row.body) }, { name: 'created_at', value: (row) => row.createdAt, fixed: true }, { name: 'changed_at', value: (row) => row.changedAt }],
  key,
);
const row: Row = { id: 'r1', body: { a: 1 }, changedAt: 'later', createdAt: 'then' };

describe('RecordColumns', () => {
  it('inserts every column in order, with its cast', () => {
    expect(columns.names).toBe('id, body, created_at, changed_at');
    const insert = columns.insert(row);
    expect(insert.sql).toBe('(id, body, created_at, changed_at) values ($1, $2::jsonb, $3, $4)');
    expect(insert.params).toEqual(['r1', '{"a":1}', 'then', 'later']);
    expect(insert.param('more')).toBe('$5');
  });

  it('updates only the columns that are not fixed, the key first, with the same values as the insert', () => {
    const update = columns.update(row);
    expect(update.sql).toBe('body = $2::jsonb, changed_at = $3');
    expect(update.params).toEqual(['r1', '{"a":1}', 'later']);
    expect(update.param('form')).toBe('$4');
    expect(update.params).toEqual(['r1', '{"a":1}', 'later', 'form']);
  });
});

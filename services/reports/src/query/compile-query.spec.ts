import { describe, expect, it } from '@jest/globals';
import { builtinDatasets } from '../datasets/builtin-datasets.js';
import { submissionDataset } from '../datasets/submission-datasets.js';
import { compileQuery } from './compile-query.js';

const [users] = builtinDatasets('reports');
const none = { filters: [], groupBy: [], aggregates: [], timeBucket: null };

describe('compileQuery', () => {
  it('selects every field in the dataset order for a plain query, values as parameters', () => {
    const compiled = compileQuery(users!, { ...none, filters: [{ field: 'email', op: 'contains', value: "x'; drop table users_view; --" }] }, 11);
    expect(compiled.columns.map((column) => column.name)).toEqual(['id', 'email', 'displayName', 'roles', 'createdAt', 'updatedAt']);
    expect(compiled.sql).toBe(
      'select "id"::text as c0, "email" as c1, "display_name" as c2, "roles" as c3, "created_at" as c4, "updated_at" as c5 from "reports".users_view where (strpos(lower("email"), lower($1::text)) > 0) order by created_at, id limit $2::int',
    );
    expect(compiled.params).toEqual(["x'; drop table users_view; --", 11]);
  });

  it('groups by position, buckets time in the zone and names aggregates by position', () => {
    const compiled = compileQuery(users!, {
      ...none,
      filters: [{ field: 'roles', op: 'contains', value: 'admin' }, { field: 'createdAt', op: 'in', value: ['2026-01-01T00:00:00Z'] }],
      groupBy: ['displayName'],
      aggregates: [{ op: 'count', as: 'n' }, { op: 'min', field: 'createdAt', as: 'first' }],
      timeBucket: { field: 'createdAt', unit: 'week', timeZone: 'Asia/Tokyo' },
    });
    expect(compiled.sql).toBe(
      'select "display_name" as c0, date_trunc($3::text, "created_at", $4::text) as c1, count(*)::float8 as c2, min("created_at") as c3 from "reports".users_view where ($1::text = any("roles")) and ("created_at" = any($2::timestamptz[])) group by 1, 2 order by 1, 2',
    );
    expect(compiled.params).toEqual(['admin', ['2026-01-01T00:00:00Z'], 'week', 'Asia/Tokyo']);
    expect(compiled.columns).toEqual([
      { name: 'displayName', type: 'string' },
      { name: 'bucket', type: 'datetime' },
      { name: 'n', type: 'number' },
      { name: 'first', type: 'datetime' },
    ]);
  });

  it('reads form data by parameterised keys and narrows to the form', () => {
    const form = submissionDataset('reports', '5b0f4e64-2b0e-4d1c-8a53-6a8f0f3f8a11', [{ formId: 'f', version: 1, dataSchema: { properties: { 'amount"); --': { type: 'number' } } } }]);
    const compiled = compileQuery(form, { ...none, aggregates: [{ op: 'sum', field: 'data.amount"); --', as: 'total' }] });
    expect(compiled.sql).not.toContain('amount');
    expect(compiled.params).toEqual(['5b0f4e64-2b0e-4d1c-8a53-6a8f0f3f8a11', 'amount"); --']);
  });
});

import { describe, expect, it } from '@jest/globals';
import { builtinDatasets } from '../datasets/builtin-datasets.js';
import { compileQuery } from '../query/compile-query.js';
import { compileCsvQuery } from './csv-query.js';

const [users] = builtinDatasets('reports');
const none = { filters: [], groupBy: [], aggregates: [], timeBucket: null };

describe('compileCsvQuery', () => {
  it('answers one text column per row, with the plain query’s order and parameters, values never in the SQL', () => {
    const query = { ...none, filters: [{ field: 'email', op: 'contains' as const, value: "x'; drop table users_view; --" }] };
    const csv = compileCsvQuery(users!, query);
    const plain = compileQuery(users!, query);
    expect(csv.sql).toMatch(/^select .* as c0 from "reports"\.users_view where \(strpos\(lower\("email"\), lower\(\$1::text\)\) > 0\) order by created_at, id$/s);
    expect(csv.sql).not.toContain('drop table');
    expect(csv.params).toEqual(["x'; drop table users_view; --"]);
    expect(csv.columns).toEqual(plain.columns);
    expect(csv.sql).not.toContain('concat_ws');
  });

  it('makes lines of the groups, in group order', () => {
    const query = { ...none, groupBy: ['displayName'], aggregates: [{ op: 'count' as const, as: 'n' }], timeBucket: { field: 'createdAt', unit: 'day' as const, timeZone: 'Europe/Paris' } };
    const csv = compileCsvQuery(users!, query);
    expect(csv.sql).toContain('from (select "display_name" as c0, date_trunc($1::text, "created_at", $2::text) as c1, count(*)::float8 as c2 from "reports".users_view group by 1, 2) as q order by q.c0, q.c1');
    expect(csv.params).toEqual(['day', 'Europe/Paris']);
    expect(csv.columns.map((column) => column.name)).toEqual(['displayName', 'bucket', 'n']);
  });
});

import type { FieldType, ReportQuery } from '../contracts/index.js';
import type { DatasetSource } from '../datasets/dataset-source.js';
import { type CompiledQuery, queryParts, selectSql } from '../query/compile-query.js';

/**
 * A text value as one CSV field, quoted as RFC 4180 asks and as csv-stringify does: only when it
 * holds a comma, a quote or a line break, quotes doubled; null as the empty field.
 */
function quoted(text: string): string {
  // strpos, not a regular expression: cheaper per row.
  const needsQuotes = [`','`, `'"'`, `E'\\n'`, `E'\\r'`].map((character) => `strpos(${text}, ${character}) > 0`).join(' or ');
  return `(case when ${needsQuotes} then '"' || replace(${text}, '"', '""') || '"' else coalesce(${text}, '') end)`;
}

/** A column's value as its CSV field, written as the report's JSON answer shows it (lists joined with ", ", dates as ISO text in UTC). */
function field(expression: string, type: FieldType, plainText: boolean): string {
  if (plainText) return `coalesce(${expression}, '')`;
  switch (type) {
    case 'string':
      return quoted(expression);
    case 'string[]':
      return quoted(`array_to_string(${expression}, ', ', 'null')`);
    case 'number':
      return numberText(expression);
    case 'boolean':
      // Boolean text never holds a comma, a quote or a line break.
      return `coalesce((${expression})::text, '')`;
    case 'datetime':
      return `coalesce(to_char((${expression}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '')`;
  }
}

/**
 * A float8 as JavaScript's `String(number)` writes it (the report's JSON answer). Both write the
 * shortest digits that read back as the same number; they differ in when they use an exponent
 * (PostgreSQL below 1e-4 and from 1e15, JavaScript below 1e-6 and from 1e21) and how (1e-07
 * against 1e-7). Between those bounds the exponent form is spelled out (digits, then zeros);
 * beyond them the exponent loses its padding. Never holds a comma, a quote or a line break.
 */
function numberText(expression: string): string {
  const x = `(${expression})`;
  const spelledOut = `(select case when e >= 0 then s || case when length(d) > e + 1 then left(d, e + 1) || '.' || substr(d, e + 2) else rpad(d, e + 1, '0') end
        else s || '0.' || repeat('0', -e - 1) || d end
      from (select case when t like '-%' then '-' else '' end as s, replace(ltrim(split_part(t, 'e', 1), '-'), '.', '') as d, split_part(t, 'e', 2)::int as e
        from (select ${x}::text as t) as f) as g)`;
  return `(case when ${x} is null then ''
    when ${x} = 0 then '0'
    when abs(${x}) >= 1e-4::float8 and abs(${x}) < 1e15::float8 then ${x}::text
    when abs(${x}) >= 1e-6::float8 and abs(${x}) < 1e21::float8 then ${spelledOut}
    else regexp_replace(${x}::text, 'e([+-])0', 'e\\1') end)`;
}

/** The fields joined into one line (`||`, not concat_ws: that takes at most 100 arguments; no field is null). */
function line(fields: readonly string[]): string {
  return fields.length === 0 ? `''` : fields.join(` || ',' || `);
}

/**
 * The query of a CSV export: the same rows, order and parameters as `compileQuery`, each row one
 * text column `c0` holding its CSV line (without the line break), formatted by PostgreSQL, so
 * the export only joins lines. Values stay bound parameters (no `COPY`, which takes none).
 */
export function compileCsvQuery(source: DatasetSource, query: Omit<ReportQuery, 'dataset'>): CompiledQuery {
  const parts = queryParts(source, query);
  if (!parts.grouped) {
    const text = line(parts.select.map((expression, at) => field(expression, parts.columns[at]!.type, parts.plainText[at] === true)));
    return { sql: `select ${text} as c0${parts.body} order by ${source.orderBy}`, params: parts.params.params, columns: parts.columns };
  }
  // Grouped: the groups are computed first (group by position), then each becomes a line, in group order.
  const text = line(parts.columns.map((column, at) => field(`q.c${at}`, column.type, parts.plainText[at] === true)));
  const order = parts.groupCount > 0 ? ` order by ${Array.from({ length: parts.groupCount }, (_, at) => `q.c${at}`).join(', ')}` : '';
  return { sql: `select ${text} as c0 from (${selectSql(parts)}) as q${order}`, params: parts.params.params, columns: parts.columns };
}

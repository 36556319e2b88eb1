import type { Aggregate, FieldType, Filter, ReportQuery } from '../contracts/index.js';
import { type DatasetField, type DatasetSource, fieldOf } from '../datasets/dataset-source.js';
import { sqlParameters } from '@np/persistence';
import type { SqlParams } from '../datasets/sql-params.js';
import { BUCKET_COLUMN } from './validate-query.js';

export interface ResultColumn {
  name: string;
  type: FieldType;
}

export interface CompiledQuery {
  sql: string;
  params: unknown[];
  columns: ResultColumn[];
}

const CASTS: Record<Exclude<FieldType, 'string[]'>, string> = { string: 'text', number: 'float8', boolean: 'boolean', datetime: 'timestamptz' };
const COMPARISONS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

function field(source: DatasetSource, name: string): DatasetField {
  const found = fieldOf(source, name);
  if (!found) throw new Error(`Unvalidated query: ${source.name} has no field ${name}.`);
  return found;
}

function condition(source: DatasetSource, filter: Filter, params: SqlParams): string {
  const target = field(source, filter.field);
  const expression = target.sql(params);
  if (target.type === 'string[]') return `${params.param(filter.value)}::text = any(${expression})`;
  const cast = CASTS[target.type];
  switch (filter.op) {
    case 'eq':
      return filter.value === null ? `${expression} is null` : `${expression} = ${params.param(filter.value)}::${cast}`;
    case 'ne':
      return filter.value === null ? `${expression} is not null` : `${expression} is distinct from ${params.param(filter.value)}::${cast}`;
    case 'in':
      return `${expression} = any(${params.param(filter.value)}::${cast}[])`;
    case 'contains':
      return `strpos(lower(${expression}), lower(${params.param(filter.value)}::text)) > 0`;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return `${expression} ${COMPARISONS[filter.op]} ${params.param(filter.value)}::${cast}`;
  }
}

function aggregateSql(source: DatasetSource, aggregate: Aggregate, params: SqlParams): { sql: string; type: FieldType } {
  if (aggregate.field === undefined) return { sql: 'count(*)::float8', type: 'number' };
  const target = field(source, aggregate.field);
  const expression = target.sql(params);
  if (aggregate.op === 'count') return { sql: `count(${expression})::float8`, type: 'number' };
  if (aggregate.op === 'sum' || aggregate.op === 'avg') return { sql: `${aggregate.op}(${expression})::float8`, type: 'number' };
  return { sql: `${aggregate.op}(${expression})`, type: target.type };
}

/** A validated query taken apart: the selected expressions (with their columns) and the clauses after them. */
export interface QueryParts {
  params: SqlParams;
  /** Each output column's SQL expression, in order. */
  select: string[];
  columns: ResultColumn[];
  /** Per output column: whether its text never needs CSV quoting (`DatasetField.plainText`). */
  plainText: boolean[];
  /** `from … where …`. */
  body: string;
  grouped: boolean;
  /** How many leading outputs are groups (the group fields, then the time bucket). */
  groupCount: number;
}

/**
 * The parts of a validated query: plain rows (every field, the dataset's order) without grouping
 * and aggregates, else one row per group (group fields, then the time bucket, then the
 * aggregates). Every value is a parameter; every identifier is the dataset's own.
 */
export function queryParts(source: DatasetSource, query: Omit<ReportQuery, 'dataset'>): QueryParts {
  const params = sqlParameters();
  const conditions = [...(source.where ? [source.where(params)] : []), ...query.filters.map((filter) => condition(source, filter, params))];
  const where = conditions.length > 0 ? ` where ${conditions.map((part) => `(${part})`).join(' and ')}` : '';
  const grouped = query.groupBy.length > 0 || query.aggregates.length > 0 || query.timeBucket !== null;
  const select: string[] = [];
  const columns: ResultColumn[] = [];
  const plainText: boolean[] = [];
  if (!grouped) {
    for (const each of source.fields) {
      select.push(each.sql(params));
      columns.push({ name: each.name, type: each.type });
      plainText.push(each.plainText === true);
    }
  } else {
    for (const name of query.groupBy) {
      const each = field(source, name);
      select.push(each.sql(params));
      columns.push({ name, type: each.type });
      plainText.push(each.plainText === true);
    }
    if (query.timeBucket) {
      const bucket = query.timeBucket;
      select.push(`date_trunc(${params.param(bucket.unit)}::text, ${field(source, bucket.field).sql(params)}, ${params.param(bucket.timeZone)}::text)`);
      columns.push({ name: BUCKET_COLUMN, type: 'datetime' });
      plainText.push(false);
    }
    for (const aggregate of query.aggregates) {
      const compiled = aggregateSql(source, aggregate, params);
      select.push(compiled.sql);
      columns.push({ name: aggregate.as, type: compiled.type });
      plainText.push(false);
    }
  }
  return { params, select, columns, plainText, body: ` from ${source.from}${where}`, grouped, groupCount: query.groupBy.length + (query.timeBucket ? 1 : 0) };
}

/** `select <expressions as c0, c1, …> from … where … [group by <positions>]`, unordered. */
export function selectSql(parts: QueryParts): string {
  const positions = Array.from({ length: parts.groupCount }, (_, at) => String(at + 1)).join(', ');
  return `select ${parts.select.map((expression, at) => `${expression} as c${at}`).join(', ')}${parts.body}${parts.groupCount > 0 ? ` group by ${positions}` : ''}`;
}

/**
 * The SQL of a validated query (see `queryParts`), plain rows in the dataset's order, groups
 * ordered by the groups. Output columns are named c0, c1, … (read by position). `limit` caps the
 * rows (a run asks one more than it may answer).
 */
export function compileQuery(source: DatasetSource, query: Omit<ReportQuery, 'dataset'>, limit?: number): CompiledQuery {
  const parts = queryParts(source, query);
  const positions = Array.from({ length: parts.groupCount }, (_, at) => String(at + 1)).join(', ');
  const order = !parts.grouped ? ` order by ${source.orderBy}` : parts.groupCount > 0 ? ` order by ${positions}` : '';
  const limitSql = limit === undefined ? '' : ` limit ${parts.params.param(limit)}::int`;
  return { sql: `${selectSql(parts)}${order}${limitSql}`, params: parts.params.params, columns: parts.columns };
}

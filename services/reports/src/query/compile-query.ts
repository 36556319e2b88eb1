import type { Aggregate, FieldType, Filter, ReportQuery } from '../contracts/index.js';
import { type DatasetField, type DatasetSource, fieldOf } from '../datasets/dataset-source.js';
import { SqlParams } from '../datasets/sql-params.js';
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
  if (target.type === 'string[]') return `${params.add(filter.value)}::text = any(${expression})`;
  const cast = CASTS[target.type];
  switch (filter.op) {
    case 'eq':
      return filter.value === null ? `${expression} is null` : `${expression} = ${params.add(filter.value)}::${cast}`;
    case 'ne':
      return filter.value === null ? `${expression} is not null` : `${expression} is distinct from ${params.add(filter.value)}::${cast}`;
    case 'in':
      return `${expression} = any(${params.add(filter.value)}::${cast}[])`;
    case 'contains':
      return `strpos(lower(${expression}), lower(${params.add(filter.value)}::text)) > 0`;
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return `${expression} ${COMPARISONS[filter.op]} ${params.add(filter.value)}::${cast}`;
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

/**
 * The SQL of a validated query: plain rows (every field, the dataset's order) without grouping
 * and aggregates, else one row per group (group fields, then the time bucket, then the
 * aggregates), ordered by the groups. Output columns are named c0, c1, … (read by position). Every value is a parameter; every identifier is the
 * dataset's own. `limit` caps the rows (a run asks one more than it may answer).
 */
export function compileQuery(source: DatasetSource, query: Omit<ReportQuery, 'dataset'>, limit?: number): CompiledQuery {
  const params = new SqlParams();
  const conditions = [...(source.where ? [source.where(params)] : []), ...query.filters.map((filter) => condition(source, filter, params))];
  const where = conditions.length > 0 ? ` where ${conditions.map((part) => `(${part})`).join(' and ')}` : '';
  const grouped = query.groupBy.length > 0 || query.aggregates.length > 0 || query.timeBucket !== null;
  const select: string[] = [];
  const columns: ResultColumn[] = [];
  if (!grouped) {
    for (const each of source.fields) {
      select.push(`${each.sql(params)} as c${select.length}`);
      columns.push({ name: each.name, type: each.type });
    }
  } else {
    for (const name of query.groupBy) {
      const each = field(source, name);
      select.push(`${each.sql(params)} as c${select.length}`);
      columns.push({ name, type: each.type });
    }
    if (query.timeBucket) {
      const bucket = query.timeBucket;
      select.push(`date_trunc(${params.add(bucket.unit)}::text, ${field(source, bucket.field).sql(params)}, ${params.add(bucket.timeZone)}::text) as c${select.length}`);
      columns.push({ name: BUCKET_COLUMN, type: 'datetime' });
    }
    for (const aggregate of query.aggregates) {
      const compiled = aggregateSql(source, aggregate, params);
      select.push(`${compiled.sql} as c${select.length}`);
      columns.push({ name: aggregate.as, type: compiled.type });
    }
  }
  const groupCount = query.groupBy.length + (query.timeBucket ? 1 : 0);
  const positions = Array.from({ length: groupCount }, (_, at) => String(at + 1)).join(', ');
  const tail = !grouped ? ` order by ${source.orderBy}` : groupCount > 0 ? ` group by ${positions} order by ${positions}` : '';
  const limitSql = limit === undefined ? '' : ` limit ${params.add(limit)}::int`;
  return { sql: `select ${select.join(', ')} from ${source.from}${where}${tail}${limitSql}`, params: params.values, columns };
}

import { AppError } from '@np/contracts';
import type { Aggregate, FieldType, Filter, ReportQuery } from '../contracts/index.js';
import type { DatasetSource } from '../datasets/dataset-source.js';
import { isValidTimeZone } from './time-zone.js';

export interface QueryIssue {
  path: Array<string | number>;
  message: string;
}

const ORDERED: readonly FieldType[] = ['number', 'datetime', 'string'];
export const BUCKET_COLUMN = 'bucket';

function valueFits(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'datetime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'string':
    case 'string[]':
      return typeof value === 'string';
  }
}

function filterIssues(filter: Filter, type: FieldType, at: number): QueryIssue[] {
  const path = ['filters', at, 'value'];
  const { op, value } = filter;
  if (type === 'string[]') {
    if (op !== 'contains') return [{ path: ['filters', at, 'op'], message: `A list field takes only "contains", not "${op}".` }];
    return typeof value === 'string' ? [] : [{ path, message: '"contains" on a list takes one string.' }];
  }
  if (op === 'in') {
    if (!Array.isArray(value)) return [{ path, message: '"in" takes a list of values.' }];
    return value.every((item) => valueFits(item, type)) ? [] : [{ path, message: `Every value of "in" must be a ${type}.` }];
  }
  if (Array.isArray(value)) return [{ path, message: `"${op}" takes one value, not a list.` }];
  if (op === 'contains') {
    if (type !== 'string') return [{ path: ['filters', at, 'op'], message: `"contains" applies to text and list fields, not ${type}.` }];
    return typeof value === 'string' ? [] : [{ path, message: '"contains" takes a string.' }];
  }
  if (op === 'eq' || op === 'ne') return value === null || valueFits(value, type) ? [] : [{ path, message: `The value must be a ${type} or null.` }];
  if (!ORDERED.includes(type)) return [{ path: ['filters', at, 'op'], message: `"${op}" applies to numbers, dates and text, not ${type}.` }];
  return valueFits(value, type) ? [] : [{ path, message: `The value must be a ${type}.` }];
}

function aggregateIssues(aggregate: Aggregate, source: DatasetSource, at: number): QueryIssue[] {
  if (aggregate.field === undefined) return aggregate.op === 'count' ? [] : [{ path: ['aggregates', at, 'field'], message: `"${aggregate.op}" needs a field.` }];
  const field = source.fields.find((candidate) => candidate.name === aggregate.field);
  if (!field) return [{ path: ['aggregates', at, 'field'], message: `The ${source.name} dataset has no field "${aggregate.field}".` }];
  if ((aggregate.op === 'sum' || aggregate.op === 'avg') && field.type !== 'number') {
    return [{ path: ['aggregates', at, 'field'], message: `"${aggregate.op}" needs a number field; "${field.name}" is ${field.type}.` }];
  }
  if ((aggregate.op === 'min' || aggregate.op === 'max') && field.type !== 'number' && field.type !== 'datetime') {
    return [{ path: ['aggregates', at, 'field'], message: `"${aggregate.op}" needs a number or date field; "${field.name}" is ${field.type}.` }];
  }
  return [];
}

/** Every way a query does not fit its dataset: unknown fields, wrong types for an operator or aggregate, clashing names. */
export function queryIssues(source: DatasetSource, query: Omit<ReportQuery, 'dataset'>): QueryIssue[] {
  const typeOf = (name: string) => source.fields.find((field) => field.name === name)?.type;
  const unknown = (path: Array<string | number>, name: string): QueryIssue => ({ path, message: `The ${source.name} dataset has no field "${name}".` });
  const issues: QueryIssue[] = [];
  query.filters.forEach((filter, at) => {
    const type = typeOf(filter.field);
    issues.push(...(type === undefined ? [unknown(['filters', at, 'field'], filter.field)] : filterIssues(filter, type, at)));
  });
  query.groupBy.forEach((name, at) => {
    if (typeOf(name) === undefined) issues.push(unknown(['groupBy', at], name));
    if (query.groupBy.indexOf(name) !== at) issues.push({ path: ['groupBy', at], message: `"${name}" is grouped by twice.` });
  });
  query.aggregates.forEach((aggregate, at) => issues.push(...aggregateIssues(aggregate, source, at)));
  const taken = new Set([...query.groupBy, ...(query.timeBucket ? [BUCKET_COLUMN] : [])]);
  query.aggregates.forEach((aggregate, at) => {
    if (taken.has(aggregate.as)) issues.push({ path: ['aggregates', at, 'as'], message: `The column name "${aggregate.as}" is already taken.` });
    taken.add(aggregate.as);
  });
  if (query.timeBucket) {
    const type = typeOf(query.timeBucket.field);
    if (type === undefined) issues.push(unknown(['timeBucket', 'field'], query.timeBucket.field));
    else if (type !== 'datetime') issues.push({ path: ['timeBucket', 'field'], message: `A time bucket needs a date field; "${query.timeBucket.field}" is ${type}.` });
    if (!isValidTimeZone(query.timeBucket.timeZone)) issues.push({ path: ['timeBucket', 'timeZone'], message: `"${query.timeBucket.timeZone}" is not an IANA time zone.` });
  }
  return issues;
}

export function assertValidQuery(source: DatasetSource, query: Omit<ReportQuery, 'dataset'>): void {
  const issues = queryIssues(source, query);
  if (issues.length > 0) throw new AppError('validation_failed', 'The report does not fit its dataset.', issues);
}

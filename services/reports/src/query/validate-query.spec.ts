import { describe, expect, it } from '@jest/globals';
import type { ReportQuery } from '../contracts/index.js';
import { builtinDatasets } from '../datasets/builtin-datasets.js';
import { submissionDataset } from '../datasets/submission-datasets.js';
import { assertValidQuery, queryIssues } from './validate-query.js';

const [users, files] = builtinDatasets('reports');
const none = { filters: [], groupBy: [], aggregates: [], timeBucket: null };

function paths(query: Partial<Omit<ReportQuery, 'dataset'>>, source = users!) {
  return queryIssues(source, { ...none, ...query }).map((issue) => issue.path.join('.'));
}

describe('queryIssues', () => {
  it('accepts a query that fits its dataset', () => {
    expect(
      paths({
        filters: [
          { field: 'roles', op: 'contains', value: 'admin' },
          { field: 'createdAt', op: 'gte', value: '2026-01-01T00:00:00Z' },
          { field: 'email', op: 'in', value: ['a@b.c'] },
          { field: 'displayName', op: 'ne', value: null },
        ],
        groupBy: ['roles'],
        aggregates: [{ op: 'count', as: 'users' }, { op: 'max', field: 'createdAt', as: 'newest' }],
        timeBucket: { field: 'createdAt', unit: 'month', timeZone: 'Europe/Paris' },
      }),
    ).toEqual([]);
  });

  it('names every unknown field', () => {
    expect(
      paths({
        filters: [{ field: 'nope', op: 'eq', value: 'x' }],
        groupBy: ['missing'],
        aggregates: [{ op: 'max', field: 'gone', as: 'm' }],
        timeBucket: { field: 'when', unit: 'day', timeZone: 'UTC' },
      }),
    ).toEqual(['filters.0.field', 'groupBy.0', 'aggregates.0.field', 'timeBucket.field']);
  });

  it('refuses aggregates and filters of the wrong type', () => {
    expect(paths({ aggregates: [{ op: 'sum', field: 'email', as: 's' }] })).toEqual(['aggregates.0.field']);
    expect(paths({ aggregates: [{ op: 'avg', field: 'createdAt', as: 'a' }] })).toEqual(['aggregates.0.field']);
    expect(paths({ aggregates: [{ op: 'min', field: 'public', as: 'm' }] }, files)).toEqual(['aggregates.0.field']);
    expect(paths({ aggregates: [{ op: 'sum', as: 's' }] })).toEqual(['aggregates.0.field']);
    expect(paths({ filters: [{ field: 'size', op: 'gt', value: 'big' }] }, files)).toEqual(['filters.0.value']);
    expect(paths({ filters: [{ field: 'public', op: 'lt', value: true }] }, files)).toEqual(['filters.0.op']);
    expect(paths({ filters: [{ field: 'size', op: 'contains', value: '1' }] }, files)).toEqual(['filters.0.op']);
    expect(paths({ filters: [{ field: 'roles', op: 'eq', value: 'admin' }] })).toEqual(['filters.0.op']);
    expect(paths({ filters: [{ field: 'email', op: 'in', value: 'a' }] })).toEqual(['filters.0.value']);
    expect(paths({ filters: [{ field: 'createdAt', op: 'lt', value: 'yesterday' }] })).toEqual(['filters.0.value']);
    expect(paths({ timeBucket: { field: 'email', unit: 'day', timeZone: 'Mars/Olympus' } })).toEqual(['timeBucket.field', 'timeBucket.timeZone']);
  });

  it('refuses clashing column names and a field grouped twice', () => {
    expect(paths({ groupBy: ['email', 'email'], aggregates: [{ op: 'count', as: 'email' }] })).toEqual(['groupBy.1', 'aggregates.0.as']);
    expect(paths({ aggregates: [{ op: 'count', as: 'n' }, { op: 'count', as: 'n' }] })).toEqual(['aggregates.1.as']);
    expect(paths({ timeBucket: { field: 'createdAt', unit: 'day', timeZone: 'UTC' }, aggregates: [{ op: 'count', as: 'bucket' }] })).toEqual(['aggregates.0.as']);
  });

  it('throws validation_failed with the issues as details', () => {
    expect(() => assertValidQuery(users!, { ...none, groupBy: ['nope'] })).toThrow(expect.objectContaining({ code: 'validation_failed', details: [expect.objectContaining({ path: ['groupBy', 0] })] }));
  });

  it('knows a form dataset by its data fields', () => {
    const form = submissionDataset('reports', '5b0f4e64-2b0e-4d1c-8a53-6a8f0f3f8a11', [{ formId: 'f', version: 1, dataSchema: { properties: { amount: { type: 'number' }, city: { type: 'string' } } } }]);
    expect(paths({ aggregates: [{ op: 'sum', field: 'data.amount', as: 'total' }], groupBy: ['data.city'] }, form)).toEqual([]);
    expect(paths({ aggregates: [{ op: 'sum', field: 'data.city', as: 'total' }] }, form)).toEqual(['aggregates.0.field']);
  });
});

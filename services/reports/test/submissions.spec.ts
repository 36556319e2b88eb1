import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import type { RunResult } from '../src/contracts/index.js';
import { submissionDataset } from '../src/datasets/submission-datasets.js';
import { compileCsvQuery } from '../src/exports/csv-query.js';
import { event, type ReportsUnderTest, startReportsUnderTest } from './reports-harness.js';

// The submissions dataset from the form builder's events (published as the broker would vouch
// for them: publisher form-builder): columns per form from its schema across versions, and a
// report whose numbers the test computes itself.
let t: ReportsUnderTest;
let token: string;
const formId = randomUUID();
const CITIES = ['Lyon', 'Paris', 'Nantes'];
const VERSION_1 = { type: 'object', properties: { amount: { type: 'number' }, city: { type: 'string' }, when: { type: 'string', format: 'date-time' } } };
const VERSION_2 = { type: 'object', properties: { amount: { type: 'number' }, city: { type: 'string' }, rating: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } } } };

beforeAll(async () => {
  t = await startReportsUnderTest();
  token = await t.tokens.sign({ sub: randomUUID(), roles: ['admin'] });
}, 60_000);
afterAll(() => t?.close());

const forms = (name: string, payload: unknown) => event(name, payload, { publisher: 'form-builder' });

function submission(version: number, data: Record<string, unknown>, at: string, id: string = randomUUID()) {
  return { submission: { id, formId, version, state: 'submitted', data, submittedBy: null, createdAt: at, updatedAt: at } };
}

async function run(body: Record<string, unknown>): Promise<RunResult> {
  const report = await t.client.call('reports.create', { name: 'subs', dataset: `submissions:${formId}`, ...body } as never, { token });
  return t.client.call('reports.run', { id: report.id }, { token });
}

describe('the submissions dataset', () => {
  const expected = new Map<string, { total: number; count: number }>();

  beforeAll(async () => {
    await t.deliver(
      forms('forms.form.published', { formId, version: 1, name: 'Orders', dataSchema: VERSION_1, publishedAt: '2026-01-01T00:00:00.000Z' }),
      forms('forms.form.published', { formId, version: 2, name: 'Orders', dataSchema: VERSION_2, publishedAt: '2026-02-01T00:00:00.000Z' }),
    );
    const events = [];
    for (let at = 0; at < 30; at += 1) {
      const city = CITIES[at % 3]!;
      const amount = (at + 1) * 10;
      const version = at < 15 ? 1 : 2;
      const data = version === 1 ? { amount, city, when: `2026-01-${String(1 + (at % 28)).padStart(2, '0')}T10:00:00Z` } : { amount, city, rating: at % 5, tags: ['web'] };
      events.push(forms('forms.submission.created', submission(version, data, `2026-0${version}-10T12:00:00.000Z`)));
      const seen = expected.get(city) ?? { total: 0, count: 0 };
      expected.set(city, { total: seen.total + amount, count: seen.count + 1 });
    }
    // One submission changed later (its amount), and one delivered twice: each counts once, with its newest data.
    const changedId = randomUUID();
    const original = forms('forms.submission.created', submission(2, { amount: 5, city: 'Lyon', rating: 1 }, '2026-02-11T00:00:00.000Z', changedId));
    const changed = forms('forms.submission.updated', { submission: { ...submission(2, { amount: 500, city: 'Lyon', rating: 4 }, '2026-02-11T00:00:00.000Z', changedId).submission, updatedAt: '2026-02-12T00:00:00.000Z' } });
    await t.deliver(...events, original, original, changed);
    const lyon = expected.get('Lyon')!;
    expected.set('Lyon', { total: lyon.total + 500, count: lyon.count + 1 });
  });

  it('lists the form as a dataset whose columns come from every version of its schema', async () => {
    const datasets = await t.client.call('reports.datasets.list', {}, { token });
    const dataset = datasets.find((candidate) => candidate.name === `submissions:${formId}`);
    expect(dataset?.fields).toEqual([
      { name: 'id', type: 'string' },
      { name: 'formId', type: 'string' },
      { name: 'version', type: 'number' },
      { name: 'state', type: 'string' },
      { name: 'submittedBy', type: 'string' },
      { name: 'createdAt', type: 'datetime' },
      { name: 'updatedAt', type: 'datetime' },
      { name: 'data.amount', type: 'number' },
      { name: 'data.city', type: 'string' },
      { name: 'data.rating', type: 'number' },
      { name: 'data.tags', type: 'string[]' },
      { name: 'data.when', type: 'datetime' },
    ]);
  });

  it('sums and counts per city as the test computed, across versions', async () => {
    const result = await run({ groupBy: ['data.city'], aggregates: [{ op: 'sum', field: 'data.amount', as: 'total' }, { op: 'count', as: 'n' }] });
    expect(result.rows).toEqual([...expected].sort(([a], [b]) => a.localeCompare(b)).map(([city, { total, count }]) => [city, total, count]));
  });

  it('reads fields of one version as null in the others, and filters on them', async () => {
    const rated = await run({ filters: [{ field: 'data.rating', op: 'gte', value: 0 }], aggregates: [{ op: 'count', as: 'n' }, { op: 'avg', field: 'data.rating', as: 'mean' }] });
    expect(rated.rows[0]![0]).toBe(16);
    const dated = await run({ filters: [{ field: 'data.when', op: 'lt', value: '2026-01-05T00:00:00Z' }], aggregates: [{ op: 'count', as: 'n' }] });
    expect(dated.rows).toEqual([[4]]);
    const tagged = await run({ filters: [{ field: 'data.tags', op: 'contains', value: 'web' }], aggregates: [{ op: 'count', as: 'n' }] });
    expect(tagged.rows).toEqual([[15]]);
    const perVersion = await run({ groupBy: ['version'], aggregates: [{ op: 'count', as: 'n' }] });
    expect(perVersion.rows).toEqual([[1, 15], [2, 16]]);
  });

  it('refuses submissions from anyone but the form builder, and an unknown form', async () => {
    const forged = event('forms.submission.created', submission(1, { amount: 1_000_000, city: 'Paris' }, '2026-01-10T00:00:00.000Z'), { publisher: 'users' });
    await t.deliver(forged);
    const paris = await run({ filters: [{ field: 'data.city', op: 'eq', value: 'Paris' }], aggregates: [{ op: 'sum', field: 'data.amount', as: 'total' }] });
    expect(paris.rows).toEqual([[expected.get('Paris')!.total]]);
    await expect(t.client.call('reports.create', { name: 'x', dataset: `submissions:${randomUUID()}` } as never, { token })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(t.client.call('reports.create', { name: 'x', dataset: `submissions:${formId}`, aggregates: [{ op: 'sum', field: 'data.city', as: 's' }] } as never, { token })).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('exports as CSV lines formatted by PostgreSQL that read back as the run answers, plain and grouped', async () => {
    // Last: these rows would change the numbers above. Fractions, text to quote, nulls, lists and dates.
    await t.deliver(
      forms('forms.submission.created', submission(2, { amount: 0.25, city: 'Lyon, "Rive gauche"\nsud', rating: 3, tags: ['a, b', 'say "hi"'] }, '2026-03-01T08:00:00.123Z')),
      forms('forms.submission.created', submission(2, { amount: -1e-7, city: 'Nantes', tags: [] }, '2026-03-02T08:00:00.000Z')),
      forms('forms.submission.created', submission(1, { amount: 12345678.5, city: 'Paris\r\n', when: 'not a date' }, '2026-03-03T08:00:00.000Z')),
      ...[1e15, 0.00001234, 1e21, 123456789012345680000, 3e-9, -1.0000000000000005e15, 2.5e-6].map((amount, at) => forms('forms.submission.created', submission(2, { amount, city: `n${at}` }, `2026-03-0${at + 4}T08:00:00.000Z`))),
    );
    const source = submissionDataset(t.schema, formId, [
      { formId, version: 1, dataSchema: VERSION_1 },
      { formId, version: 2, dataSchema: VERSION_2 },
    ]);
    const none = { filters: [], groupBy: [], aggregates: [], timeBucket: null };
    const cases = [
      none,
      { ...none, filters: [{ field: 'data.city', op: 'contains' as const, value: 'lyon' }] },
      { ...none, groupBy: ['data.city'], aggregates: [{ op: 'sum' as const, field: 'data.amount', as: 'total' }, { op: 'max' as const, field: 'createdAt', as: 'last' }] },
      { ...none, aggregates: [{ op: 'avg' as const, field: 'data.amount', as: 'mean' }] },
      { ...none, timeBucket: { field: 'createdAt', unit: 'month' as const, timeZone: 'America/New_York' }, aggregates: [{ op: 'count' as const, as: 'n' }] },
    ];
    for (const query of cases) {
      const answered = await run(query);
      const compiled = compileCsvQuery(source, query);
      const lines = (await t.sql.query<{ c0: string }>(compiled.sql, compiled.params)).rows.map((row) => `${row.c0}\n`).join('');
      const parsed = parse(lines, { columns: false, relaxColumnCount: false }) as string[][];
      expect(parsed).toEqual(answered.rows.map((row) => row.map((cell) => (cell === null ? '' : Array.isArray(cell) ? cell.join(', ') : String(cell)))));
    }
  });
});

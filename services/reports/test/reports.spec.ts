import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppError } from '@np/contracts';
import { quoteIdentifier } from '@np/persistence';
import type { RunResult } from '../src/contracts/index.js';
import { event, type ReportsUnderTest, startReportsUnderTest } from './reports-harness.js';

// The reports module against the real PostgreSQL on the in-process bus: projections fed by events
// (idempotent, rebuildable), datasets, definitions and runs with numbers the test computes itself.
let t: ReportsUnderTest;
let token: string;
const admin = randomUUID();

beforeAll(async () => {
  t = await startReportsUnderTest({ NP_REPORTS_RUN_MAX_ROWS: '50' });
  token = await t.tokens.sign({ sub: admin, roles: ['admin'] });
}, 60_000);
afterAll(() => t?.close());

function user(overrides: Partial<{ id: string; email: string; displayName: string; roles: string[]; createdAt: string; updatedAt: string }> = {}) {
  const id = overrides.id ?? randomUUID();
  const at = overrides.createdAt ?? '2026-03-10T12:00:00.000Z';
  return { id, email: `${id.slice(0, 8)}@reports.test`, displayName: 'Someone', roles: ['member'], createdAt: at, updatedAt: overrides.updatedAt ?? at, ...overrides };
}

async function createReport(body: Record<string, unknown>) {
  return t.client.call('reports.create', body as never, { token });
}

async function run(body: Record<string, unknown>): Promise<RunResult> {
  const report = await createReport({ name: 'r', ...body });
  return t.client.call('reports.run', { id: report.id }, { token });
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('the users projection', () => {
  const counts = new Map<string, number>();
  const users = [
    ...Array.from({ length: 7 }, (_, at) => user({ roles: ['member'], createdAt: `2026-01-${String(10 + at).padStart(2, '0')}T23:30:00.000Z` })),
    ...Array.from({ length: 3 }, (_, at) => user({ roles: ['manager'], createdAt: `2026-02-0${1 + at}T10:00:00.000Z` })),
    user({ roles: ['admin', 'manager'], createdAt: '2026-02-28T23:30:00.000Z' }),
  ];

  beforeAll(async () => {
    const created = users.map((each) => event('users.user.created', { user: each }));
    // Every event delivered twice: each counts once.
    await t.deliver(...created, ...created);
    for (const each of users) for (const role of each.roles) counts.set(role, (counts.get(role) ?? 0) + 1);
  });

  it('lists the datasets with their fields', async () => {
    const datasets = await t.client.call('reports.datasets.list', {}, { token });
    expect(datasets.map((dataset) => dataset.name)).toEqual(['users', 'files', 'audit']);
    expect(datasets[0]!.fields).toEqual(expect.arrayContaining([
      { name: 'id', type: 'string' },
      { name: 'email', type: 'string' },
      { name: 'displayName', type: 'string' },
      { name: 'roles', type: 'string[]' },
      { name: 'createdAt', type: 'datetime' },
    ]));
  });

  it('counts each event once, whatever the redeliveries', async () => {
    const result = await run({ dataset: 'users', aggregates: [{ op: 'count', as: 'users' }] });
    expect(result).toEqual({ columns: [{ name: 'users', type: 'number' }], rows: [[users.length]] });
  });

  it('gives the numbers the test computed: users per role, per month in a time zone', async () => {
    for (const role of ['member', 'manager', 'admin']) {
      const result = await run({ dataset: 'users', filters: [{ field: 'roles', op: 'contains', value: role }], aggregates: [{ op: 'count', as: 'n' }] });
      expect(result.rows).toEqual([[counts.get(role)]]);
    }
    // 2026-02-28T23:30Z is March 1st in Paris: the bucket follows the zone.
    const perMonth = await run({ dataset: 'users', aggregates: [{ op: 'count', as: 'n' }], timeBucket: { field: 'createdAt', unit: 'month', timeZone: 'Europe/Paris' } });
    expect(perMonth.columns.map((column) => column.name)).toEqual(['bucket', 'n']);
    expect(perMonth.rows).toEqual([
      ['2025-12-31T23:00:00.000Z', 7],
      ['2026-01-31T23:00:00.000Z', 3],
      ['2026-02-28T23:00:00.000Z', 1],
    ]);
    const utc = await run({ dataset: 'users', aggregates: [{ op: 'count', as: 'n' }], timeBucket: { field: 'createdAt', unit: 'month', timeZone: 'UTC' } });
    expect(utc.rows).toEqual([
      ['2026-01-01T00:00:00.000Z', 7],
      ['2026-02-01T00:00:00.000Z', 4],
    ]);
    const firstAndLast = await run({ dataset: 'users', filters: [{ field: 'createdAt', op: 'lt', value: '2026-02-01T00:00:00Z' }], aggregates: [{ op: 'min', field: 'createdAt', as: 'first' }, { op: 'max', field: 'createdAt', as: 'last' }] });
    expect(firstAndLast.rows).toEqual([['2026-01-10T23:30:00.000Z', '2026-01-16T23:30:00.000Z']]);
  });

  it('keeps the newest version of a user and forgets a deleted one', async () => {
    const changed = { ...users[0]!, displayName: 'Renamed', updatedAt: '2026-04-01T00:00:00.000Z' };
    const stale = { ...users[0]!, displayName: 'Stale', updatedAt: '2026-03-01T00:00:00.000Z' };
    await t.deliver(event('users.user.updated', { user: changed, changed: ['displayName'] }), event('users.user.updated', { user: stale, changed: ['displayName'] }));
    const renamed = await run({ dataset: 'users', filters: [{ field: 'id', op: 'eq', value: users[0]!.id }] });
    expect(renamed.rows.map((row) => row[2])).toEqual(['Renamed']);
    const doomed = user();
    await t.deliver(event('users.user.created', { user: doomed }), event('users.user.deleted', { id: doomed.id, email: doomed.email }));
    const gone = await run({ dataset: 'users', filters: [{ field: 'id', op: 'eq', value: doomed.id }] });
    expect(gone.rows).toEqual([]);
  });

  it('rebuilds the projections from the kept stream to the same answers', async () => {
    const before = await run({ dataset: 'users', groupBy: ['displayName'], aggregates: [{ op: 'count', as: 'n' }] });
    await t.sql.query(`delete from ${quoteIdentifier(t.schema)}.users_view`);
    const emptied = await run({ dataset: 'users', aggregates: [{ op: 'count', as: 'n' }] });
    expect(emptied.rows).toEqual([[0]]);
    await expect(t.service.rebuildProjections()).resolves.toBeGreaterThanOrEqual(users.length + 4);
    await expect(run({ dataset: 'users', groupBy: ['displayName'], aggregates: [{ op: 'count', as: 'n' }] })).resolves.toEqual(before);
  });

  it('refuses a result over the row cap with result_too_large', async () => {
    await t.deliver(...Array.from({ length: 50 }, () => event('users.user.created', { user: user() })));
    const error = await failure(run({ dataset: 'users' }));
    expect(error.code).toBe('result_too_large');
    expect(error.message).toContain('export');
  });
});

describe('the files and audit projections', () => {
  it('sums file sizes per owner and drops deleted files', async () => {
    const owner = randomUUID();
    const file = (size: number) => ({ id: randomUUID(), name: 'a.txt', folder: '', size, contentType: 'text/plain', sha256: 'a'.repeat(64), public: false, ownerId: owner, createdAt: new Date().toISOString() });
    const files = [file(100), file(250), file(4000)];
    await t.deliver(...files.map((each) => event('files.file.uploaded', each)), event('files.file.deleted', { id: files[2]!.id, ownerId: owner, size: 4000, deletedBy: owner }));
    const result = await run({ dataset: 'files', filters: [{ field: 'ownerId', op: 'eq', value: owner }], groupBy: ['ownerId'], aggregates: [{ op: 'sum', field: 'size', as: 'bytes' }, { op: 'count', as: 'files' }, { op: 'avg', field: 'size', as: 'mean' }] });
    expect(result.rows).toEqual([[owner, 350, 2, 175]]);
  });

  it('keeps the newest version of a renamed or moved file, whatever order its events arrive in', async () => {
    const owner = randomUUID();
    const uploaded = { id: randomUUID(), name: 'a.txt', folder: '', size: 10, contentType: 'text/plain', sha256: 'a'.repeat(64), public: false, ownerId: owner, createdAt: new Date().toISOString() };
    const moved = { ...uploaded, folder: 'reports', version: 2, updatedBy: owner };
    const renamed = { ...moved, name: 'b.txt', public: true, version: 3, updatedBy: owner };
    const row = async () => (await run({ dataset: 'files', filters: [{ field: 'id', op: 'eq', value: uploaded.id }] })).rows.map((values) => values.slice(1, 3));
    // The last change first, then the upload and the one before it (a replay, a redelivery).
    await t.deliver(event('files.file.updated', renamed), event('files.file.uploaded', uploaded), event('files.file.updated', moved));
    expect(await row()).toEqual([['b.txt', 'reports']]);
    const other = { ...uploaded, id: randomUUID() };
    await t.deliver(event('files.file.uploaded', other), event('files.file.updated', { ...other, folder: 'moved', version: 2, updatedBy: owner }));
    const result = await run({ dataset: 'files', filters: [{ field: 'ownerId', op: 'eq', value: owner }], groupBy: ['folder'], aggregates: [{ op: 'count', as: 'files' }] });
    expect(result.rows.sort()).toEqual([['moved', 1], ['reports', 1]]);
  });

  it('keeps every event as an audit row with its actor, request id and resource', async () => {
    const actor = randomUUID();
    const sessionId = randomUUID();
    await t.deliver(event('auth.session.revoked', { sessionId, userId: actor, expiresAt: new Date(Date.now() + 60_000).toISOString() }, { actorId: actor, requestId: 'req-audit-1' }));
    const result = await run({ dataset: 'audit', filters: [{ field: 'requestId', op: 'eq', value: 'req-audit-1' }] });
    expect(result.columns.map((column) => column.name)).toEqual(['id', 'at', 'actor', 'type', 'resource', 'requestId']);
    expect(result.rows.map((row) => row.slice(2))).toEqual([[actor, 'auth.session.revoked', `session:${sessionId}`, 'req-audit-1']]);
  });

  it('drops a malformed event and one published by a module that does not own it', async () => {
    const forged = event('users.user.created', { user: user() }, { publisher: 'files' });
    const malformed = event('users.user.created', { user: { id: 'not-a-uuid' } });
    await t.deliver(forged, malformed);
    const kept = await t.sql.query(`select id from ${quoteIdentifier(t.schema)}.events where id = any($1::uuid[])`, [[forged.id, malformed.id]]);
    expect(kept.rowCount).toBe(0);
  });
});

describe('report definitions', () => {
  it('creates, lists, reads, changes and deletes a definition', async () => {
    const created = await createReport({ name: 'Members', dataset: 'users', filters: [{ field: 'roles', op: 'contains', value: 'member' }] });
    expect(created).toMatchObject({ name: 'Members', dataset: 'users', groupBy: [], aggregates: [], timeBucket: null, ownerId: admin });
    await expect(t.client.call('reports.get', { id: created.id }, { token })).resolves.toEqual(created);
    const listed = await t.client.call('reports.list', {}, { token });
    expect(listed.items.map((item) => item.id)).toContain(created.id);
    const changed = await t.client.call('reports.update', { id: created.id, changes: { name: 'Per role', groupBy: ['roles'], aggregates: [{ op: 'count', as: 'n' }] } }, { token });
    expect(changed).toMatchObject({ name: 'Per role', groupBy: ['roles'], filters: created.filters });
    await expect(t.client.call('reports.delete', { id: created.id }, { token })).resolves.toEqual({ ok: true });
    expect((await failure(t.client.call('reports.get', { id: created.id }, { token }))).code).toBe('not_found');
    expect((await failure(t.client.call('reports.delete', { id: created.id }, { token }))).code).toBe('not_found');
    expect((await failure(t.client.call('reports.run', { id: created.id }, { token }))).code).toBe('not_found');
  });

  it('refuses an unknown dataset or field and a wrong type with validation_failed and details', async () => {
    const noDataset = await failure(createReport({ name: 'x', dataset: 'nope' }));
    expect(noDataset).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: ['dataset'] })] });
    const unknownField = await failure(createReport({ name: 'x', dataset: 'users', groupBy: ['salary'] }));
    expect(unknownField).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: ['groupBy', 0] })] });
    const wrongType = await failure(createReport({ name: 'x', dataset: 'users', aggregates: [{ op: 'sum', field: 'email', as: 's' }] }));
    expect(wrongType).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: ['aggregates', 0, 'field'] })] });
    const badShape = await failure(createReport({ name: 'x', dataset: 'users', aggregates: [{ op: 'median', as: 's' }] }));
    expect(badShape.code).toBe('validation_failed');
    const existing = await createReport({ name: 'ok', dataset: 'users' });
    const badChange = await failure(t.client.call('reports.update', { id: existing.id, changes: { dataset: 'files', groupBy: ['email'] } }, { token }));
    expect(badChange).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ path: ['groupBy', 0] })] });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { PDFParse } from 'pdf-parse';
import type { ApiClient, ApiResponse } from '../harness/http-client.js';
import { type PlatformUnderTest, shapeUnderTest } from '../harness/platform.js';
import { startSession } from '../harness/session.js';
import { itIn, PLATFORM_CLOSE_MS, PLATFORM_STARTUP_MS } from '../harness/shapes.js';

// The reports module through the gateway, in both shapes: datasets fed by the users module's
// events, definitions with their validation, runs with the row cap, exports into the files
// module read back with real readers, and who may do what.
const shape = shapeUnderTest();
const RUN_MAX_ROWS = 20;
let platform: PlatformUnderTest;
let api: ApiClient;
let adminToken: string;
let adminId: string;

beforeAll(async () => {
  ({ platform, api, adminToken } = await startSession(shape, { env: { NP_MODULES: 'users,files,reports', NP_REPORTS_RUN_MAX_ROWS: String(RUN_MAX_ROWS) } }));
  adminId = (await api.request<{ id: string }>('GET', '/v1/auth/me', { token: adminToken })).body.id;
}, PLATFORM_STARTUP_MS);
afterAll(() => platform?.close(), PLATFORM_CLOSE_MS);

interface Report {
  id: string;
  name: string;
  dataset: string;
  groupBy: string[];
}
interface RunResult {
  columns: Array<{ name: string; type: string }>;
  rows: unknown[][];
}

function expectError(response: ApiResponse<unknown>, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { code?: string } | undefined)?.code }).toEqual({ status, code });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function userWith(roles: string[], tag: string, requestId?: string): Promise<{ id: string; email: string }> {
  const email = `${tag}-${randomUUID().slice(0, 8)}@e2e.test`;
  const created = await api.request<{ id: string }>('POST', '/v1/users', { token: adminToken, json: { email, displayName: tag, password: 'a-good-password', roles }, headers: requestId ? { 'x-request-id': requestId } : {} });
  expect(created.status).toBe(201);
  return { id: created.body.id, email };
}

async function tokenOf(roles: string[]): Promise<string> {
  const { email } = await userWith(roles, 'login');
  return (await api.login(email, 'a-good-password')).access_token;
}

async function define(body: Record<string, unknown>, token = adminToken): Promise<ApiResponse<Report>> {
  return api.request<Report>('POST', '/v1/reports', { token, json: { name: 'e2e', ...body } });
}

async function runOf(id: string, token = adminToken): Promise<ApiResponse<RunResult>> {
  return api.request<RunResult>('POST', `/v1/reports/${id}/run`, { token });
}

describe(`reports (${shape})`, () => {
  it('lists the datasets with their fields', async () => {
    const datasets = await api.request<Array<{ name: string; fields: Array<{ name: string; type: string }> }>>('GET', '/v1/reports/datasets', { token: adminToken });
    expect(datasets.status).toBe(200);
    expect(datasets.body.map((dataset) => dataset.name)).toEqual(expect.arrayContaining(['users', 'files', 'audit']));
    expect(datasets.body.find((dataset) => dataset.name === 'users')?.fields).toEqual(
      expect.arrayContaining([{ name: 'id', type: 'string' }, { name: 'email', type: 'string' }, { name: 'displayName', type: 'string' }, { name: 'roles', type: 'string[]' }, { name: 'createdAt', type: 'datetime' }]),
    );
  });

  it('counts users per role as the test does, from the users module events', async () => {
    const tag = `count${randomUUID().slice(0, 6)}`;
    const roles = [['member'], ['member'], ['member'], ['manager'], ['manager', 'admin']];
    for (const each of roles) await userWith(each, tag);
    const created = await define({ dataset: 'users', filters: [{ field: 'displayName', op: 'eq', value: tag }], groupBy: ['roles'], aggregates: [{ op: 'count', as: 'users' }] });
    expect(created.status).toBe(201);
    const expected = [
      [['manager'], 1],
      [['manager', 'admin'], 1],
      [['member'], 3],
    ];
    const rowsOf = (result: RunResult) => [...result.rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const sorted = [...expected].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const result = await waitFor('the users projection', async () => {
      const run = await runOf(created.body.id);
      expect(run.status).toBe(200);
      return JSON.stringify(rowsOf(run.body)) === JSON.stringify(sorted) ? run.body : undefined;
    });
    expect(result.columns).toEqual([{ name: 'roles', type: 'string[]' }, { name: 'users', type: 'number' }]);
  });

  it('keeps the actor and request id of a change in the audit dataset', async () => {
    const requestId = `e2e-audit-${randomUUID()}`;
    const created = await userWith(['member'], 'audited', requestId);
    const report = await define({ dataset: 'audit', filters: [{ field: 'requestId', op: 'eq', value: requestId }] });
    expect(report.status).toBe(201);
    const rows = await waitFor('the audit row', async () => {
      const run = await runOf(report.body.id);
      return run.body.rows.length > 0 ? run.body.rows : undefined;
    });
    expect(rows.map((row) => row.slice(2))).toEqual([[adminId, 'users.user.created', `user:${created.id}`, requestId]]);
  });

  it('reads, lists, changes and deletes a definition', async () => {
    const created = await define({ name: 'Members', dataset: 'users', filters: [{ field: 'roles', op: 'contains', value: 'member' }] });
    expect(created.status).toBe(201);
    const read = await api.request<Report>('GET', `/v1/reports/${created.body.id}`, { token: adminToken });
    expect(read).toMatchObject({ status: 200, body: created.body });
    const listed = await api.request<{ items: Report[] }>('GET', '/v1/reports', { token: adminToken });
    expect(listed.body.items.map((item) => item.id)).toContain(created.body.id);
    const changed = await api.request<Report>('PATCH', `/v1/reports/${created.body.id}`, { token: adminToken, json: { name: 'Per role', groupBy: ['roles'], aggregates: [{ op: 'count', as: 'n' }] } });
    expect(changed).toMatchObject({ status: 200, body: { name: 'Per role', groupBy: ['roles'] } });
    expect((await api.request('DELETE', `/v1/reports/${created.body.id}`, { token: adminToken })).status).toBe(204);
    expectError(await api.request('GET', `/v1/reports/${created.body.id}`, { token: adminToken }), 404, 'not_found');
    expectError(await api.request('PATCH', `/v1/reports/${created.body.id}`, { token: adminToken, json: { name: 'x' } }), 404, 'not_found');
    expectError(await api.request('DELETE', `/v1/reports/${created.body.id}`, { token: adminToken }), 404, 'not_found');
    expectError(await runOf(created.body.id), 404, 'not_found');
  });

  it('refuses definitions that do not fit their dataset with 400 and details', async () => {
    const unknownField = await define({ dataset: 'users', groupBy: ['salary'] });
    expectError(unknownField, 400, 'validation_failed');
    expect((unknownField.body as unknown as { details: Array<{ path: unknown[] }> }).details).toEqual([expect.objectContaining({ path: ['groupBy', 0] })]);
    const wrongType = await define({ dataset: 'users', aggregates: [{ op: 'avg', field: 'email', as: 'a' }] });
    expectError(wrongType, 400, 'validation_failed');
    expect((wrongType.body as unknown as { details: Array<{ path: unknown[] }> }).details).toEqual([expect.objectContaining({ path: ['aggregates', 0, 'field'] })]);
    expectError(await define({ dataset: 'nowhere' }), 400, 'validation_failed');
    expectError(await define({ dataset: 'users', filters: [{ field: 'email', op: 'like', value: 'x' }] }), 400, 'validation_failed');
    expectError(await define({ dataset: 'users', timeBucket: { field: 'createdAt', unit: 'day', timeZone: 'Nowhere/Land' } }), 400, 'validation_failed');
    expectError(await api.request('POST', '/v1/reports', { token: adminToken, json: { dataset: 'users' } }), 400, 'validation_failed');
    const existing = await define({ dataset: 'users' });
    expectError(await api.request('PATCH', `/v1/reports/${existing.body.id}`, { token: adminToken, json: { dataset: 'files', groupBy: ['email'] } }), 400, 'validation_failed');
    expectError(await api.request('PATCH', `/v1/reports/${existing.body.id}`, { token: adminToken, json: {} }), 400, 'validation_failed');
    expectError(await api.request('GET', '/v1/reports/not-a-uuid', { token: adminToken }), 400, 'validation_failed');
  });

  // The row cap is a process setting a Tenant does not expose: the cluster shape has the module's 10,000.
  itIn('embedded', 'distributed')('answers 413 result_too_large past the row cap', async () => {
    const tag = `cap${randomUUID().slice(0, 6)}`;
    for (let at = 0; at <= RUN_MAX_ROWS; at += 1) await userWith(['member'], tag);
    const plain = await define({ dataset: 'users', filters: [{ field: 'displayName', op: 'eq', value: tag }] });
    const counted = await define({ dataset: 'users', filters: [{ field: 'displayName', op: 'eq', value: tag }], aggregates: [{ op: 'count', as: 'n' }] });
    await waitFor('every user projected', async () => ((await runOf(counted.body.id)).body.rows[0]?.[0] === RUN_MAX_ROWS + 1 ? true : undefined));
    const tooLarge = await runOf(plain.body.id);
    expectError(tooLarge, 413, 'result_too_large');
    expect((tooLarge.body as unknown as { message: string }).message).toContain('export');
  });

  it('lets managers read and write reports, not members; needs a token', async () => {
    const manager = await tokenOf(['manager']);
    expect((await api.request('GET', '/v1/reports/datasets', { token: manager })).status).toBe(200);
    expect((await define({ dataset: 'users' }, manager)).status).toBe(201);
    const member = await tokenOf(['member']);
    expectError(await api.request('GET', '/v1/reports/datasets', { token: member }), 403, 'forbidden');
    expectError(await api.request('GET', '/v1/reports', { token: member }), 403, 'forbidden');
    expectError(await define({ dataset: 'users' }, member), 403, 'forbidden');
    expectError(await api.request('GET', '/v1/reports/datasets'), 401, 'token_missing');
  });
});

describe(`report exports (${shape})`, () => {
  interface ExportState {
    status: string;
    rows: number | null;
    fileId: string | null;
    error: string | null;
  }

  async function exportOf(reportId: string, format: string, token = adminToken): Promise<{ state: ExportState; bytes: Buffer }> {
    const accepted = await api.request<{ id: string; status: string }>('POST', `/v1/reports/${reportId}/exports`, { token, json: { format } });
    expect(accepted).toMatchObject({ status: 202, body: { status: 'queued' } });
    const state = await waitFor('the export', async () => {
      const polled = await api.request<ExportState>('GET', `/v1/reports/exports/${accepted.body.id}`, { token });
      expect(polled.status).toBe(200);
      return polled.body.status === 'succeeded' || polled.body.status === 'failed' ? polled.body : undefined;
    }, 60_000);
    expect(state).toMatchObject({ status: 'succeeded', error: null });
    const download = await fetch(`${api.baseUrl}/v1/files/${state.fileId!}/content`, { headers: { authorization: `Bearer ${token}` } });
    expect(download.status).toBe(200);
    return { state, bytes: Buffer.from(await download.arrayBuffer()) };
  }

  it('exports CSV, XLSX and PDF into a file the caller downloads through the files module', async () => {
    const tag = `exp${randomUUID().slice(0, 6)}`;
    for (let at = 0; at < 5; at += 1) await userWith(at < 2 ? ['manager'] : ['member'], tag);
    const report = await define({ name: 'Export e2e', dataset: 'users', filters: [{ field: 'displayName', op: 'eq', value: tag }] });
    const counted = await define({ dataset: 'users', filters: [{ field: 'displayName', op: 'eq', value: tag }], aggregates: [{ op: 'count', as: 'n' }] });
    await waitFor('every user projected', async () => ((await runOf(counted.body.id)).body.rows[0]?.[0] === 5 ? true : undefined));
    const rows = (await runOf(report.body.id)).body;

    const csv = await exportOf(report.body.id, 'csv');
    expect(csv.state.rows).toBe(5);
    const parsed = parse(csv.bytes) as string[][];
    expect(parsed[0]).toEqual(rows.columns.map((column) => column.name));
    expect(parsed.slice(1).map((row) => row[1])).toEqual(rows.rows.map((row) => row[1]));

    const xlsx = await exportOf(report.body.id, 'xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
    const values = workbook.worksheets[0]!.getSheetValues().slice(1) as unknown[][];
    expect(values.slice(1).map((row) => row[2])).toEqual(rows.rows.map((row) => row[1]));

    const pdf = await exportOf(report.body.id, 'pdf');
    const parser = new PDFParse({ data: new Uint8Array(pdf.bytes) });
    const text = (await parser.getText()).text;
    await parser.destroy();
    expect(text).toContain(`Filters: displayName eq "${tag}"`);
    for (const row of rows.rows) expect(text).toContain(String(row[1]));

    const runs = await api.request<{ items: ExportState[] }>('GET', `/v1/reports/${report.body.id}/runs`, { token: adminToken });
    expect(runs.status).toBe(200);
    expect(runs.body.items.map((item) => item.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // The file is the caller's: another member does not see it.
    const member = await tokenOf(['member']);
    expectError(await api.request('GET', `/v1/files/${csv.state.fileId!}`, { token: member }), 404, 'not_found');
  });

  it('refuses a bad format, an unknown report or export, and members', async () => {
    const report = await define({ dataset: 'users' });
    expectError(await api.request('POST', `/v1/reports/${report.body.id}/exports`, { token: adminToken, json: { format: 'docx' } }), 400, 'validation_failed');
    expectError(await api.request('POST', `/v1/reports/${randomUUID()}/exports`, { token: adminToken, json: { format: 'csv' } }), 404, 'not_found');
    expectError(await api.request('GET', `/v1/reports/exports/${randomUUID()}`, { token: adminToken }), 404, 'not_found');
    expectError(await api.request('GET', `/v1/reports/${randomUUID()}/runs`, { token: adminToken }), 404, 'not_found');
    const member = await tokenOf(['member']);
    expectError(await api.request('POST', `/v1/reports/${report.body.id}/exports`, { token: member, json: { format: 'csv' } }), 403, 'forbidden');
  });
});

describe(`report schedules (${shape})`, () => {
  it('creates, lists and deletes a schedule; refuses a bad cron or zone, unknown ids and members', async () => {
    const report = await define({ dataset: 'users' });
    const created = await api.request<{ id: string; cron: string; timezone: string; format: string; ownerId: string }>('POST', `/v1/reports/${report.body.id}/schedules`, {
      token: adminToken,
      json: { cron: '0 7 * * 1', timezone: 'Europe/Paris', format: 'xlsx' },
    });
    expect(created).toMatchObject({ status: 201, body: { cron: '0 7 * * 1', timezone: 'Europe/Paris', format: 'xlsx', ownerId: adminId } });
    const listed = await api.request<{ items: Array<{ id: string }> }>('GET', `/v1/reports/${report.body.id}/schedules`, { token: adminToken });
    expect(listed.body.items.map((item) => item.id)).toEqual([created.body.id]);
    expectError(await api.request('POST', `/v1/reports/${report.body.id}/schedules`, { token: adminToken, json: { cron: 'at nine', timezone: 'UTC', format: 'csv' } }), 400, 'validation_failed');
    expectError(await api.request('POST', `/v1/reports/${report.body.id}/schedules`, { token: adminToken, json: { cron: '0 9 * * *', timezone: 'Nowhere/Land', format: 'csv' } }), 400, 'validation_failed');
    expectError(await api.request('POST', `/v1/reports/${report.body.id}/schedules`, { token: adminToken, json: { cron: '0 9 * * *', format: 'docx' } }), 400, 'validation_failed');
    expectError(await api.request('POST', `/v1/reports/${randomUUID()}/schedules`, { token: adminToken, json: { cron: '0 9 * * *', format: 'csv' } }), 404, 'not_found');
    expectError(await api.request('GET', `/v1/reports/${randomUUID()}/schedules`, { token: adminToken }), 404, 'not_found');
    const member = await tokenOf(['member']);
    expectError(await api.request('POST', `/v1/reports/${report.body.id}/schedules`, { token: member, json: { cron: '0 9 * * *', format: 'csv' } }), 403, 'forbidden');
    expectError(await api.request('DELETE', `/v1/reports/${report.body.id}/schedules/${created.body.id}`, { token: member }), 403, 'forbidden');
    expect((await api.request('DELETE', `/v1/reports/${report.body.id}/schedules/${created.body.id}`, { token: adminToken })).status).toBe(204);
    expectError(await api.request('DELETE', `/v1/reports/${report.body.id}/schedules/${created.body.id}`, { token: adminToken }), 404, 'not_found');
    expect((await api.request<{ items: unknown[] }>('GET', `/v1/reports/${report.body.id}/schedules`, { token: adminToken })).body.items).toEqual([]);
  });
});

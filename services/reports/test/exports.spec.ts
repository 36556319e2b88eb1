import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { PDFParse } from 'pdf-parse';
import type { Export, RunResult } from '../src/contracts/index.js';
import { event, type ReportsUnderTest, startReportsUnderTest } from './reports-harness.js';

// Exports end to end on the real PostgreSQL: the pg-boss job streams the rows into the files
// module (its data listener, under an upload grant), and the file read back with real readers
// (csv-parse, exceljs, pdf-parse) holds the report's rows.
const XLSX_MAX_ROWS = 100;
const PDF_MAX_ROWS = 150;
const USERS = 240;
let t: ReportsUnderTest;
let token: string;
const owner = randomUUID();

beforeAll(async () => {
  t = await startReportsUnderTest({ NP_REPORTS_XLSX_MAX_ROWS: String(XLSX_MAX_ROWS), NP_REPORTS_PDF_MAX_ROWS: String(PDF_MAX_ROWS), NP_REPORTS_EXPORT_RETRIES: '0' }, { withFiles: true });
  token = await t.tokens.sign({ sub: owner, roles: ['manager'] });
  const users = Array.from({ length: USERS }, (_, at) => {
    const id = randomUUID();
    const createdAt = new Date(Date.UTC(2026, 0, 1) + at * 3_600_000).toISOString();
    return { id, email: `export-${String(at).padStart(3, '0')}@reports.test`, displayName: `Name, "quoted" ${at}`, roles: at % 3 === 0 ? ['manager'] : ['member'], createdAt, updatedAt: createdAt };
  });
  await t.deliver(...users.map((user) => event('users.user.created', { user })));
}, 60_000);
afterAll(() => t?.close());

async function exported(reportId: string, format: 'csv' | 'xlsx' | 'pdf'): Promise<{ record: Export; bytes: Buffer }> {
  const accepted = await t.client.call('reports.exports.create', { id: reportId, format }, { token });
  expect(accepted.status).toBe('queued');
  const deadline = Date.now() + 30_000;
  let record = await t.client.call('reports.exports.get', { exportId: accepted.id }, { token });
  while (record.status === 'queued' || record.status === 'running') {
    if (Date.now() > deadline) throw new Error(`export ${accepted.id} still ${record.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    record = await t.client.call('reports.exports.get', { exportId: accepted.id }, { token });
  }
  expect(record).toMatchObject({ status: 'succeeded', error: null });
  const response = await fetch(`${t.files!.dataUrl}/v1/files/${record.fileId!}/content`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return { record, bytes: Buffer.from(await response.arrayBuffer()) };
}

async function report(body: Record<string, unknown>): Promise<{ id: string; rows: RunResult }> {
  const created = await t.client.call('reports.create', { name: 'Members export', dataset: 'users', ...body } as never, { token });
  return { id: created.id, rows: await t.client.call('reports.run', { id: created.id }, { token }) };
}

function asText(cell: unknown): string {
  if (cell === null) return '';
  return Array.isArray(cell) ? cell.join(', ') : String(cell);
}

describe('exports', () => {
  it('writes every row as CSV into a file of the caller, read back by csv-parse', async () => {
    const { id, rows } = await report({ filters: [{ field: 'email', op: 'contains', value: 'export-' }] });
    const { record, bytes } = await exported(id, 'csv');
    expect(record.rows).toBe(USERS);
    expect(record.warning).toBeNull();
    const parsed = parse(bytes, { columns: false }) as string[][];
    expect(parsed[0]).toEqual(rows.columns.map((column) => column.name));
    expect(parsed.slice(1)).toEqual(rows.rows.map((row) => row.map(asText)));
    const file = await t.client.call('files.get', { id: record.fileId! }, { token });
    expect(file).toMatchObject({ ownerId: owner, contentType: 'text/csv', folder: 'reports', public: false });
    expect(file.name).toMatch(/^Members-export-.*\.csv$/);
  });

  it('writes XLSX up to its cap and says so, read back by exceljs', async () => {
    const { id, rows } = await report({});
    const { record, bytes } = await exported(id, 'xlsx');
    expect(record.rows).toBe(XLSX_MAX_ROWS);
    expect(record.warning).toContain(String(XLSX_MAX_ROWS));
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const values = sheet.getSheetValues().slice(1) as unknown[][];
    expect(values).toHaveLength(XLSX_MAX_ROWS + 1);
    expect(values[0]!.slice(1)).toEqual(rows.columns.map((column) => column.name));
    const expected = rows.rows.slice(0, XLSX_MAX_ROWS).map((row) => row.map((cell, at) => (rows.columns[at]!.type === 'datetime' ? new Date(String(cell)).toISOString() : asText(cell))));
    const got = values.slice(1).map((row) => row.slice(1).map((cell) => (cell instanceof Date ? cell.toISOString() : asText(cell))));
    expect(got).toEqual(expected);
  });

  it('writes a grouped report as a paginated PDF that states its filters, read back by pdf-parse', async () => {
    const plain = await report({ filters: [{ field: 'roles', op: 'contains', value: 'member' }] });
    const { record, bytes } = await exported(plain.id, 'pdf');
    expect(record.rows).toBe(PDF_MAX_ROWS);
    expect(record.warning).toContain(String(PDF_MAX_ROWS));
    const parser = new PDFParse({ data: new Uint8Array(bytes) });
    const text = await parser.getText();
    await parser.destroy();
    expect(text.total).toBeGreaterThan(1);
    expect(text.text).toContain('Members export');
    expect(text.text).toContain('Filters: roles contains "member"');
    for (const row of plain.rows.rows.slice(0, PDF_MAX_ROWS)) expect(text.text).toContain(String(row[1]));
    expect(text.text).not.toContain(String(plain.rows.rows[PDF_MAX_ROWS]![1]));

    const grouped = await report({ groupBy: ['roles'], aggregates: [{ op: 'count', as: 'users' }], timeBucket: { field: 'createdAt', unit: 'day', timeZone: 'Europe/Paris' } });
    const pdf = await exported(grouped.id, 'pdf');
    expect(pdf.record).toMatchObject({ rows: grouped.rows.rows.length, warning: null });
    const groupedParser = new PDFParse({ data: new Uint8Array(pdf.bytes) });
    const groupedText = (await groupedParser.getText()).text;
    await groupedParser.destroy();
    expect(groupedText).toContain('Group by: roles');
    expect(groupedText).toContain('Time bucket: day of createdAt in Europe/Paris');
  });

  it('lists the exports of a report as its runs, and refuses an unknown report or export', async () => {
    const { id } = await report({});
    const { record } = await exported(id, 'csv');
    const runs = await t.client.call('reports.runs.list', { id }, { token });
    expect(runs.items).toEqual([expect.objectContaining({ id: record.id, status: 'succeeded', rows: USERS, fileId: record.fileId, scheduleId: null })]);
    expect(runs.items[0]!.durationMs).toBeGreaterThanOrEqual(0);
    await expect(t.client.call('reports.exports.create', { id: randomUUID(), format: 'csv' }, { token })).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.client.call('reports.exports.get', { exportId: randomUUID() }, { token })).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.client.call('reports.runs.list', { id: randomUUID() }, { token })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('leaves the files data listener closed to a forged upload grant (403 link_invalid)', async () => {
    const forged = await fetch(`${t.files!.dataUrl}/internal/files/grants/${randomUUID()}?owner=${owner}&name=x.csv&folder=&expires=9999999999&signature=${'A'.repeat(43)}`, { method: 'PUT', body: 'a,b\n', headers: { 'content-type': 'text/csv' } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { code: string }).code).toBe('link_invalid');
  });
});

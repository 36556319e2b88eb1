import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import * as tus from 'tus-js-client';
import type { ApiClient, ApiResponse } from '../harness/http-client.js';
import { type PlatformUnderTest, shapeUnderTest } from '../harness/platform.js';
import { startSession } from '../harness/session.js';
import { PLATFORM_CLOSE_MS, PLATFORM_STARTUP_MS } from '../harness/shapes.js';

// The backoffice module through the gateway, in both shapes: the audit log of every change (actor,
// request id, masked changes, filters and cursor), the settings document with If-Match and its
// history, module status and usage; admins only.
const shape = shapeUnderTest();
let platform: PlatformUnderTest;
let api: ApiClient;
let adminToken: string;
let adminId: string;

beforeAll(async () => {
  ({ platform, api, adminToken } = await startSession(shape, { env: { NP_MODULES: 'users,files,reports,backoffice' } }));
  adminId = (await api.request<{ id: string }>('GET', '/v1/auth/me', { token: adminToken })).body.id;
}, PLATFORM_STARTUP_MS);
afterAll(() => platform?.close(), PLATFORM_CLOSE_MS);

interface AuditEntry {
  id: string;
  at: string;
  actor: string | null;
  type: string;
  resource: string | null;
  requestId: string | null;
  changes: unknown;
}
interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
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

async function audit(query: Record<string, string>, token = adminToken): Promise<ApiResponse<AuditPage>> {
  return api.request<AuditPage>('GET', `/v1/backoffice/audit?${new URLSearchParams(query).toString()}`, { token });
}

/** The audit entries a request left, once there are `count` of them. */
async function entriesOf(requestId: string, resource: string, count = 1): Promise<AuditEntry[]> {
  return waitFor(`the audit of ${requestId}`, async () => {
    const page = await audit({ resource, limit: '200' });
    expect(page.status).toBe(200);
    const mine = page.body.items.filter((entry) => entry.requestId === requestId);
    return mine.length >= count ? mine : undefined;
  });
}

function rid(): string {
  return `e2e-${randomUUID()}`;
}

async function member(roles: string[] = ['member']): Promise<{ id: string; email: string; token: string }> {
  const email = `bo-${randomUUID().slice(0, 8)}@e2e.test`;
  const created = await api.request<{ id: string }>('POST', '/v1/users', { token: adminToken, json: { email, displayName: 'Backoffice', password: 'a-good-password', roles } });
  expect(created.status).toBe(201);
  return { id: created.body.id, email, token: (await api.login(email, 'a-good-password')).access_token };
}

describe(`audit log (${shape})`, () => {
  it('keeps exactly one entry per change with its actor and request id, and no password', async () => {
    const email = `audited-${randomUUID().slice(0, 8)}@e2e.test`;
    const createId = rid();
    const created = await api.request<{ id: string }>('POST', '/v1/users', { token: adminToken, json: { email, displayName: 'Audited', password: 'first-password-1', roles: ['member'] }, headers: { 'x-request-id': createId } });
    expect(created.status).toBe(201);
    const resource = `user:${created.body.id}`;
    const updateId = rid();
    expect((await api.request('PATCH', `/v1/users/${created.body.id}`, { token: adminToken, json: { displayName: 'Renamed' }, headers: { 'x-request-id': updateId } })).status).toBe(200);
    const passwordId = rid();
    expect((await api.request('PATCH', `/v1/users/${created.body.id}`, { token: adminToken, json: { password: 'second-password-2' }, headers: { 'x-request-id': passwordId } })).status).toBe(200);
    const deleteId = rid();
    expect((await api.request('DELETE', `/v1/users/${created.body.id}`, { token: adminToken, headers: { 'x-request-id': deleteId } })).status).toBe(204);

    for (const [requestId, type] of [
      [createId, 'users.user.created'],
      [updateId, 'users.user.updated'],
      [passwordId, 'users.user.updated'],
      [deleteId, 'users.user.deleted'],
    ] as const) {
      const entries = (await entriesOf(requestId, resource)).filter((entry) => entry.type.startsWith('users.'));
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ actor: adminId, type, resource, requestId });
    }
    // Give a redelivery or a second entry the time to show up, then count again: still one each.
    // What the change caused elsewhere (auth revoking the user's tokens) is audited too, under the same actor and request.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = (await audit({ resource, limit: '200' })).body.items;
    expect(all.filter((entry) => entry.type.startsWith('users.')).map((entry) => entry.requestId).sort()).toEqual([createId, updateId, passwordId, deleteId].sort());
    expect(all.every((entry) => entry.actor === adminId)).toBe(true);
    const text = JSON.stringify(all);
    expect(text).not.toContain('first-password-1');
    expect(text).not.toContain('second-password-2');
    const passwordEntry = all.find((entry) => entry.requestId === passwordId)!;
    expect(passwordEntry.changes).toMatchObject({ changed: ['password'] });
  });

  it('keeps file uploads, changes and deletions with who made them', async () => {
    const uploader = await member();
    const form = new FormData();
    form.set('file', new Blob([new TextEncoder().encode('hello audit')], { type: 'text/plain' }), 'audit.txt');
    const uploadId = rid();
    const uploaded = await fetch(`${api.baseUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${uploader.token}`, 'x-request-id': uploadId }, body: form });
    expect(uploaded.status).toBe(201);
    const file = (await uploaded.json()) as { id: string };
    const moveId = rid();
    expect((await api.request('PATCH', `/v1/files/${file.id}`, { token: uploader.token, json: { folder: 'audited' }, headers: { 'x-request-id': moveId } })).status).toBe(200);
    const deleteId = rid();
    expect((await api.request('DELETE', `/v1/files/${file.id}`, { token: uploader.token, headers: { 'x-request-id': deleteId } })).status).toBe(204);
    expect(await entriesOf(uploadId, `file:${file.id}`)).toEqual([expect.objectContaining({ actor: uploader.id, type: 'files.file.uploaded', requestId: uploadId })]);
    expect(await entriesOf(moveId, `file:${file.id}`)).toEqual([expect.objectContaining({ actor: uploader.id, type: 'files.file.updated', requestId: moveId, changes: expect.objectContaining({ folder: 'audited', version: 2 }) })]);
    expect(await entriesOf(deleteId, `file:${file.id}`)).toEqual([expect.objectContaining({ actor: uploader.id, type: 'files.file.deleted', requestId: deleteId })]);

    // A resumable (tus) upload names its uploader too.
    const resumable = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(Buffer.from('resumable audit'), {
        endpoint: `${api.baseUrl}/v1/files/uploads`,
        retryDelays: [],
        headers: { authorization: `Bearer ${uploader.token}` },
        metadata: { filename: 'resumable.txt', contentType: 'text/plain' },
        onSuccess: () => resolve(upload.url ?? ''),
        onError: reject,
      });
      upload.start();
    });
    const resumableId = resumable.split('/').at(-1)!;
    const entries = await waitFor('the resumable upload audit', async () => {
      const page = await audit({ resource: `file:${resumableId}` });
      return page.body.items.length > 0 ? page.body.items : undefined;
    });
    expect(entries).toEqual([expect.objectContaining({ actor: uploader.id, type: 'files.file.uploaded' })]);
  });

  it('keeps the reports module changes: a definition created, changed, deleted; an export asked for and done', async () => {
    const createId = rid();
    const created = await api.request<{ id: string }>('POST', '/v1/reports', { token: adminToken, json: { name: 'Audited report', dataset: 'users' }, headers: { 'x-request-id': createId } });
    expect(created.status).toBe(201);
    const resource = `report:${created.body.id}`;
    const updateId = rid();
    expect((await api.request('PATCH', `/v1/reports/${created.body.id}`, { token: adminToken, json: { name: 'Renamed report' }, headers: { 'x-request-id': updateId } })).status).toBe(200);
    const exportId = rid();
    const accepted = await api.request<{ id: string }>('POST', `/v1/reports/${created.body.id}/exports`, { token: adminToken, json: { format: 'csv' }, headers: { 'x-request-id': exportId } });
    expect(accepted.status).toBe(202);
    const deleteId = rid();
    expect((await api.request('DELETE', `/v1/reports/${created.body.id}`, { token: adminToken, headers: { 'x-request-id': deleteId } })).status).toBe(204);
    expect(await entriesOf(createId, resource)).toEqual([expect.objectContaining({ actor: adminId, type: 'reports.report.created' })]);
    expect(await entriesOf(updateId, resource)).toEqual([expect.objectContaining({ actor: adminId, type: 'reports.report.updated' })]);
    expect(await entriesOf(deleteId, resource)).toEqual([expect.objectContaining({ actor: adminId, type: 'reports.report.deleted' })]);
    expect(await entriesOf(exportId, `export:${accepted.body.id}`)).toEqual([expect.objectContaining({ actor: adminId, type: 'reports.export.requested' })]);
  });

  it('filters by actor, type and time, and pages with a cursor', async () => {
    const tag = rid();
    const ids: string[] = [];
    for (let at = 0; at < 3; at += 1) {
      const created = await api.request<{ id: string }>('POST', '/v1/users', { token: adminToken, json: { email: `page-${randomUUID().slice(0, 8)}@e2e.test`, displayName: 'Paged', roles: ['member'] }, headers: { 'x-request-id': `${tag}-${at}` } });
      ids.push(created.body.id);
    }
    for (let at = 0; at < 3; at += 1) await entriesOf(`${tag}-${at}`, `user:${ids[at]!}`);
    const since = new Date(Date.now() - 60_000).toISOString();
    const seen: AuditEntry[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page += 1) {
      const query: Record<string, string> = { actor: adminId, type: 'users.user.created', from: since, limit: '1', ...(cursor ? { cursor } : {}) };
      const answer = await audit(query);
      expect(answer.status).toBe(200);
      expect(answer.body.items.length).toBeLessThanOrEqual(1);
      seen.push(...answer.body.items);
      cursor = answer.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen.every((entry) => entry.actor === adminId && entry.type === 'users.user.created')).toBe(true);
    expect(new Set(seen.map((entry) => entry.id)).size).toBe(seen.length);
    for (let at = 0; at < 3; at += 1) expect(seen.map((entry) => entry.requestId)).toContain(`${tag}-${at}`);
    const sorted = [...seen].sort((a, b) => b.at.localeCompare(a.at));
    expect(seen.map((entry) => entry.at)).toEqual(sorted.map((entry) => entry.at));
    const future = await audit({ from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.body).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a bad cursor or limit, and anyone but admins', async () => {
    expectError(await audit({ cursor: 'not-a-cursor' }), 400, 'validation_failed');
    expectError(await audit({ limit: '0' }), 400, 'validation_failed');
    expectError(await audit({ from: 'yesterday' }), 400, 'validation_failed');
    const manager = await member(['manager']);
    for (const path of ['/v1/backoffice/audit', '/v1/backoffice/settings', '/v1/backoffice/settings/history', '/v1/backoffice/modules', '/v1/backoffice/usage']) {
      expectError(await api.request('GET', path, { token: manager.token }), 403, 'forbidden');
      expectError(await api.request('GET', path), 401, 'token_missing');
    }
    expectError(await api.request('PUT', '/v1/backoffice/settings', { token: manager.token, json: {}, headers: { 'if-match': '"0"' } }), 403, 'forbidden');
  });
});

describe(`settings (${shape})`, () => {
  interface SettingsReply {
    version: number;
    settings: { general: { displayName: string; timeZone: string }; security: { passwordMinLength: number }; features: Record<string, boolean> };
    updatedBy: string | null;
  }

  it('replaces the document under If-Match, refuses a stale or missing one, and keeps the history', async () => {
    const first = await api.request<SettingsReply>('GET', '/v1/backoffice/settings', { token: adminToken });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe(`"${first.body.version}"`);
    const next = { ...first.body.settings, general: { ...first.body.settings.general, displayName: 'Acme', timeZone: 'Europe/Paris' }, features: { exports: true } };
    const requestId = rid();
    const put = await api.request<SettingsReply>('PUT', '/v1/backoffice/settings', { token: adminToken, json: next, headers: { 'if-match': first.headers.get('etag')!, 'x-request-id': requestId } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: first.body.version + 1, settings: next, updatedBy: adminId });
    expect(put.headers.get('etag')).toBe(`"${first.body.version + 1}"`);
    const stale = await api.request('PUT', '/v1/backoffice/settings', { token: adminToken, json: next, headers: { 'if-match': first.headers.get('etag')! } });
    expectError(stale, 412, 'precondition_failed');
    expectError(await api.request('PUT', '/v1/backoffice/settings', { token: adminToken, json: next }), 400, 'validation_failed');
    expectError(await api.request('PUT', '/v1/backoffice/settings', { token: adminToken, json: next, headers: { 'if-match': '*' } }), 400, 'validation_failed');
    const etag = put.headers.get('etag')!;
    expectError(await api.request('PUT', '/v1/backoffice/settings', { token: adminToken, json: { ...next, general: { ...next.general, timeZone: 'Mars/Base' } }, headers: { 'if-match': etag } }), 400, 'validation_failed');
    expectError(await api.request('PUT', '/v1/backoffice/settings', { token: adminToken, json: { ...next, unknown: 1 }, headers: { 'if-match': etag } }), 400, 'validation_failed');
    expectError(await api.request('PUT', '/v1/backoffice/settings', { token: adminToken, json: { ...next, security: { passwordMinLength: 3 } }, headers: { 'if-match': etag } }), 400, 'validation_failed');
    const read = await api.request<SettingsReply>('GET', '/v1/backoffice/settings', { token: adminToken });
    expect(read.body).toMatchObject({ version: put.body.version, settings: next });
    const history = await api.request<{ items: Array<{ version: number; updatedBy: string }> }>('GET', '/v1/backoffice/settings/history', { token: adminToken });
    expect(history.status).toBe(200);
    expect(history.body.items[0]).toMatchObject({ version: put.body.version, updatedBy: adminId });
    const audited = await waitFor('the settings audit', async () => {
      const page = await audit({ type: 'backoffice.settings.updated', limit: '200' });
      return page.body.items.find((entry) => entry.requestId === requestId);
    });
    expect(audited).toMatchObject({ actor: adminId, type: 'backoffice.settings.updated' });
  });
});

describe(`module status and usage (${shape})`, () => {
  it('lists every module with whether it is enabled and ready, its replicas and queue depth', async () => {
    type Status = Array<{ name: string; enabled: boolean; ready: boolean | null; replicas: number | null; queueDepth: number | null }>;
    // The broker's management statistics lag its state by a few seconds.
    const modules = await waitFor('every module ready', async () => {
      const answer = await api.request<Status>('GET', '/v1/backoffice/modules', { token: adminToken });
      expect(answer.status).toBe(200);
      return answer.body.filter((entry) => entry.enabled).every((entry) => entry.ready === true) ? answer : undefined;
    });
    const byName = new Map(modules.body.map((entry) => [entry.name, entry]));
    for (const name of ['auth', 'users', 'files', 'reports', 'backoffice']) {
      expect(byName.get(name)).toMatchObject({ enabled: true, ready: true });
      expect(byName.get(name)!.replicas).toBeGreaterThanOrEqual(1);
      expect(byName.get(name)!.queueDepth).toBeGreaterThanOrEqual(0);
    }
    expect(byName.get('form-builder')).toMatchObject({ enabled: false });
    // In the cluster shape the Tenant's status says how many replicas each module should run.
    if (shape === 'cluster') expect(byName.get('users')).toMatchObject({ desired: 1, replicas: 1, asleep: false });
  });

  it('counts users, files and bytes per month', async () => {
    const before = await api.request<{ months: Array<{ month: string; usersCreated: number; filesUploaded: number; bytesUploaded: number }> }>('GET', '/v1/backoffice/usage', { token: adminToken });
    expect(before.status).toBe(200);
    const month = new Date().toISOString().slice(0, 7);
    const current = () => before.body.months.find((entry) => entry.month === month) ?? { usersCreated: 0, filesUploaded: 0, bytesUploaded: 0 };
    const base = current();
    const uploader = await member();
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(1234).fill(65)], { type: 'text/plain' }), 'usage.txt');
    expect((await fetch(`${api.baseUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${uploader.token}` }, body: form })).status).toBe(201);
    await waitFor('usage to count them', async () => {
      const after = await api.request<{ months: Array<{ month: string; usersCreated: number; filesUploaded: number; bytesUploaded: number }> }>('GET', '/v1/backoffice/usage', { token: adminToken });
      const now = after.body.months.find((entry) => entry.month === month);
      return now && now.usersCreated >= base.usersCreated + 1 && now.filesUploaded >= base.filesUploaded + 1 && now.bytesUploaded >= base.bytesUploaded + 1234 ? now : undefined;
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import * as tus from 'tus-js-client';
import yauzl from 'yauzl';
import { ApiClient, type ApiResponse } from '../harness/http-client.js';
import { type PlatformUnderTest, shapeUnderTest } from '../harness/platform.js';
import { startSession } from '../harness/session.js';
import { describeIn, PLATFORM_CLOSE_MS, PLATFORM_STARTUP_MS } from '../harness/shapes.js';

// The files module through the gateway, in both shapes (local disk embedded, versitygw
// distributed): multipart and resumable (tus) uploads, downloads with Range and ETags, signed
// links, public files, limits, access between members, hostile names, and (distributed) the S3
// server restarted during an upload.
const shape = shapeUnderTest();
const MIB = 1024 * 1024;
const MAX_BYTES = 25 * MIB;
const QUOTA_BYTES = 30 * MIB;
let platform: PlatformUnderTest;
let api: ApiClient;
let adminToken: string;

beforeAll(async () => {
  ({ platform, api, adminToken } = await startSession(shape, {
    env: { NP_MODULES: 'users,files', NP_FILES_MAX_BYTES: String(MAX_BYTES), NP_FILES_QUOTA_BYTES: String(QUOTA_BYTES), NP_FILES_PUBLIC_MAX_AGE_SECONDS: '600' },
  }));
}, PLATFORM_STARTUP_MS);
afterAll(() => platform?.close(), PLATFORM_CLOSE_MS);

interface StoredFile {
  id: string;
  name: string;
  folder: string;
  size: number;
  contentType: string;
  sha256: string;
  public: boolean;
  ownerId: string;
  createdAt: string;
}

async function member(roles: string[] = ['member']): Promise<{ id: string; token: string }> {
  const email = `files-${randomUUID().slice(0, 8)}@e2e.test`;
  const created = await api.request<{ id: string }>('POST', '/v1/users', { token: adminToken, json: { email, displayName: 'Files', password: 'a-good-password', roles } });
  expect(created.status).toBe(201);
  return { id: created.body.id, token: (await api.login(email, 'a-good-password')).access_token };
}

function expectError(response: { status: number; body: unknown }, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { code?: string } | undefined)?.code }).toEqual({ status, code });
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function fetchJson<T>(path: string, init: RequestInit): Promise<ApiResponse<T>> {
  const response = await fetch(`${api.baseUrl}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

async function upload(token: string, bytes: Uint8Array, options: { name?: string; type?: string; folder?: string; public?: boolean } = {}): Promise<ApiResponse<StoredFile>> {
  const form = new FormData();
  if (options.folder !== undefined) form.set('folder', options.folder);
  if (options.public !== undefined) form.set('public', String(options.public));
  form.set('file', new Blob([bytes], { type: options.type ?? 'text/plain' }), options.name ?? 'notes.txt');
  return fetchJson<StoredFile>('/v1/files', { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
}

async function download(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const response = await fetch(`${api.baseUrl}${path}`, { headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

/** A multipart body written byte for byte, so a file name can hold what FormData would escape. */
function rawMultipart(filenameHeader: string, content: Buffer, type = 'text/plain'): { body: Buffer; contentType: string } {
  const boundary = `----np${randomBytes(8).toString('hex')}`;
  const head = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="`), Buffer.from(filenameHeader, 'utf8'), Buffer.from(`"\r\nContent-Type: ${type}\r\n\r\n`)]);
  return { body: Buffer.concat([head, content, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

function tusUpload(token: string, data: Buffer, metadata: Record<string, string>, options: Partial<tus.UploadOptions> = {}): tus.Upload {
  return new tus.Upload(data, {
    endpoint: `${api.baseUrl}/v1/files/uploads`,
    chunkSize: 5 * MIB,
    retryDelays: [],
    headers: { authorization: `Bearer ${token}` },
    metadata,
    ...options,
  });
}

function finish(upload: tus.Upload): Promise<string> {
  return new Promise((resolve, reject) => {
    upload.options.onSuccess = () => resolve(upload.url ?? '');
    upload.options.onError = reject;
    upload.start();
  });
}

/** Every entry of a ZIP, read back by yauzl: name to bytes. */
function unzip(archive: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(archive, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, zip) => {
      if (error) return reject(error);
      const entries = new Map<string, Buffer>();
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

const PDF_HEAD = Buffer.from('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n');

describe(`files (${shape})`, () => {
  describe('resumable uploads (tus 1.0)', () => {
    it('resumes an interrupted upload of more than 20 MB where it stopped, byte-identical', async () => {
      const data = Buffer.concat([PDF_HEAD, randomBytes(21 * MIB)]);
      const first = tusUpload(adminToken, data, { filename: 'big.pdf', contentType: 'application/pdf', folder: 'tus' });
      // Stop after the first parts: abort from the progress callback.
      await new Promise<void>((resolve, reject) => {
        first.options.onChunkComplete = (_size, accepted) => {
          if (accepted >= 10 * MIB) void first.abort().then(resolve, reject);
        };
        first.options.onError = reject;
        first.start();
      });
      const uploadUrl = first.url ?? '';
      expect(uploadUrl).toMatch(/\/v1\/files\/uploads\/[0-9a-f-]{36}$/);
      const head = await fetch(uploadUrl, { method: 'HEAD', headers: { authorization: `Bearer ${adminToken}`, 'tus-resumable': '1.0.0' } });
      const offset = Number(head.headers.get('upload-offset'));
      expect(offset).toBeGreaterThanOrEqual(10 * MIB);
      expect(offset).toBeLessThan(data.length);
      const id = uploadUrl.split('/').pop() ?? '';
      // Not a file until the last byte is in.
      expectError(await api.request('GET', `/v1/files/${id}`, { token: adminToken }), 404, 'not_found');

      let resumedFrom = -1;
      const second = tusUpload(adminToken, data, { filename: 'big.pdf', contentType: 'application/pdf', folder: 'tus' }, {
        uploadUrl,
        onProgress: (sent) => {
          if (resumedFrom < 0) resumedFrom = sent;
        },
      });
      await finish(second);
      expect(resumedFrom).toBeGreaterThanOrEqual(offset);

      const file = await api.request<StoredFile>('GET', `/v1/files/${id}`, { token: adminToken });
      expect(file.body).toMatchObject({ id, name: 'big.pdf', folder: 'tus', size: data.length, contentType: 'application/pdf', sha256: sha256(data), public: false });
      const content = await download(`/v1/files/${id}/content`, { authorization: `Bearer ${adminToken}` });
      expect(content.status).toBe(200);
      expect(sha256(content.bytes)).toBe(sha256(data));
    }, 180_000);

    it('refuses an upload larger than a file may be (413 payload_too_large) and one past the quota (413 quota_exceeded)', async () => {
      const create = (length: number) =>
        fetchJson('/v1/files/uploads', { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'tus-resumable': '1.0.0', 'upload-length': String(length) } });
      expectError(await create(MAX_BYTES + 1), 413, 'payload_too_large');
      // The 21 MB file of the test above is stored: 20 MB more do not fit in 30.
      expectError(await create(20 * MIB), 413, 'quota_exceeded');
      const usage = await api.request<{ bytes: number; files: number; quotaBytes: number }>('GET', '/v1/files/usage', { token: adminToken });
      expect(usage.status).toBe(200);
      expect(usage.body.quotaBytes).toBe(QUOTA_BYTES);
      expect(usage.body.bytes).toBeGreaterThan(21 * MIB);
      // Multipart too: a body announced past the quota is refused before it is read.
      expectError(await upload(adminToken, Buffer.alloc(10 * MIB, 'a')), 413, 'quota_exceeded');
    });

    it('answers 401 without a token and 404 for another caller’s upload; a terminated upload is gone', async () => {
      expectError(await fetchJson('/v1/files/uploads', { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': '10' } }), 401, 'token_missing');
      const created = await fetch(`${api.baseUrl}/v1/files/uploads`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'tus-resumable': '1.0.0', 'upload-length': '10' } });
      expect(created.status).toBe(201);
      const location = new URL(created.headers.get('location') ?? '', `${api.baseUrl}/v1/files/uploads`).pathname;
      const other = await member();
      const foreign = await fetchJson(location, { method: 'PATCH', headers: { authorization: `Bearer ${other.token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: 'abcdefghij' });
      expectError(foreign, 404, 'not_found');
      const terminated = await fetch(`${api.baseUrl}${location}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}`, 'tus-resumable': '1.0.0' } });
      expect(terminated.status).toBe(204);
      const after = await fetchJson(location, { method: 'HEAD', headers: { authorization: `Bearer ${adminToken}`, 'tus-resumable': '1.0.0' } });
      expect(after.status).toBe(404);
    });

    it('refuses, at the end, bytes that are not the declared type (415 unsupported_file_type), and lists nothing', async () => {
      const upload = tusUpload(adminToken, Buffer.from('plain text, not a PNG'), { filename: 'fake.png', contentType: 'image/png' });
      const failure = await finish(upload).then(
        () => undefined,
        (error: unknown) => error as tus.DetailedError,
      );
      expect(failure?.originalResponse?.getStatus()).toBe(415);
      expect(JSON.parse(failure?.originalResponse?.getBody() ?? '{}')).toMatchObject({ code: 'unsupported_file_type' });
      const id = (upload.url ?? '').split('/').pop() ?? '';
      expectError(await api.request('GET', `/v1/files/${id}`, { token: adminToken }), 404, 'not_found');
    });

    it('deletes a file (204), after which it is gone and the usage shrinks', async () => {
      const listed = await api.request<{ items: StoredFile[] }>('GET', '/v1/files?folder=tus', { token: adminToken });
      const big = listed.body.items.find((item) => item.name === 'big.pdf');
      expect(big).toBeDefined();
      const before = await api.request<{ bytes: number }>('GET', '/v1/files/usage', { token: adminToken });
      expect((await api.request('DELETE', `/v1/files/${big?.id}`, { token: adminToken })).status).toBe(204);
      expectError(await api.request('GET', `/v1/files/${big?.id}`, { token: adminToken }), 404, 'not_found');
      expect((await download(`/v1/files/${big?.id}/content`, { authorization: `Bearer ${adminToken}` })).status).toBe(404);
      const after = await api.request<{ bytes: number }>('GET', '/v1/files/usage', { token: adminToken });
      expect(after.body.bytes).toBe(before.body.bytes - (big?.size ?? 0));
    });
  });

  describe('multipart uploads and downloads', () => {
    const bytes = Buffer.from(Array.from({ length: 100 }, (_unused, index) => `${index % 10}`).join(''));
    let file: StoredFile;

    beforeAll(async () => {
      const created = await upload(adminToken, bytes, { name: 'digits.txt', folder: 'docs/2026', type: 'text/plain' });
      expect(created.status).toBe(201);
      file = created.body;
    });

    it('stores the file with its metadata and lists it', async () => {
      expect(file).toMatchObject({ name: 'digits.txt', folder: 'docs/2026', size: 100, contentType: 'text/plain', sha256: sha256(bytes), public: false });
      const listed = await api.request<{ items: StoredFile[]; nextCursor: string | null }>('GET', '/v1/files?folder=docs/2026&q=DIGITS', { token: adminToken });
      expect(listed.body.items.map((item) => item.id)).toEqual([file.id]);
      expect((await api.request('GET', `/v1/files/${file.id}`, { token: adminToken })).body).toEqual(file);
    });

    it('pages with a cursor', async () => {
      for (let index = 0; index < 3; index += 1) expect((await upload(adminToken, Buffer.from(`page ${index}`), { folder: 'paged' })).status).toBe(201);
      const first = await api.request<{ items: StoredFile[]; nextCursor: string | null }>('GET', '/v1/files?folder=paged&limit=2', { token: adminToken });
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api.request<{ items: StoredFile[]; nextCursor: string | null }>('GET', `/v1/files?folder=paged&limit=2&cursor=${first.body.nextCursor}`, { token: adminToken });
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      expectError(await api.request('GET', '/v1/files?cursor=bogus', { token: adminToken }), 400, 'validation_failed');
    });

    it('serves the bytes with ETag, Accept-Ranges, Content-Length and a Content-Disposition', async () => {
      const content = await download(`/v1/files/${file.id}/content`, { authorization: `Bearer ${adminToken}` });
      expect(content.status).toBe(200);
      expect(content.bytes.equals(bytes)).toBe(true);
      expect(content.headers.get('etag')).toBe(`"${file.sha256}"`);
      expect(content.headers.get('accept-ranges')).toBe('bytes');
      expect(content.headers.get('content-length')).toBe('100');
      expect(content.headers.get('content-disposition')).toBe('attachment; filename=digits.txt');
      expect(content.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it.each([
      ['bytes=0-9', 206, 'bytes 0-9/100', 0, 10],
      ['bytes=-7', 206, 'bytes 93-99/100', 93, 100],
      ['bytes=95-', 206, 'bytes 95-99/100', 95, 100],
      ['bytes=90-1000', 206, 'bytes 90-99/100', 90, 100],
      ['bytes=0-0', 206, 'bytes 0-0/100', 0, 1],
    ])('answers Range %s with %i and %s', async (range, status, contentRange, from, to) => {
      const content = await download(`/v1/files/${file.id}/content`, { authorization: `Bearer ${adminToken}`, range });
      expect(content.status).toBe(status);
      expect(content.headers.get('content-range')).toBe(contentRange);
      expect(content.bytes.equals(bytes.subarray(from, to))).toBe(true);
    });

    it('answers a range past the end with 416 range_not_satisfiable and Content-Range bytes */size', async () => {
      for (const range of ['bytes=100-', 'bytes=500-600']) {
        const response = await fetchJson(`/v1/files/${file.id}/content`, { headers: { authorization: `Bearer ${adminToken}`, range } });
        expectError(response, 416, 'range_not_satisfiable');
        expect(response.headers.get('content-range')).toBe('bytes */100');
      }
    });

    it('answers If-None-Match with the ETag with 304 and no body', async () => {
      const content = await download(`/v1/files/${file.id}/content`, { authorization: `Bearer ${adminToken}`, 'if-none-match': `"${file.sha256}"` });
      expect(content.status).toBe(304);
      expect(content.bytes).toHaveLength(0);
      expect((await download(`/v1/files/${file.id}/content`, { authorization: `Bearer ${adminToken}`, 'if-none-match': '"other"' })).status).toBe(200);
    });

    it('refuses a private file without a token (401) and bytes that lie about their type (415)', async () => {
      expectError(await fetchJson(`/v1/files/${file.id}/content`, {}), 401, 'token_missing');
      expectError(await fetchJson(`/public/files/${file.id}/digits.txt`, {}), 404, 'not_found');
      expectError(await upload(adminToken, Buffer.from('not really a pdf'), { type: 'application/pdf', name: 'x.pdf' }), 415, 'unsupported_file_type');
      expectError(await upload(adminToken, Buffer.from('<html><script>alert(1)</script></html>'), { type: 'text/html', name: 'x.html' }), 415, 'unsupported_file_type');
      const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x3e, 0, 1, 0, 0, 0]);
      expectError(await upload(adminToken, elf, { type: 'application/octet-stream', name: 'tool' }), 415, 'unsupported_file_type');
    });

    it('refuses a file larger than NP_FILES_MAX_BYTES with 413 payload_too_large, and a body that is not multipart with 415', async () => {
      // One byte too many: refused once the limit is passed while the bytes stream in; announced too large: refused unstored.
      const before = await api.request<{ bytes: number; files: number }>('GET', '/v1/files/usage', { token: adminToken });
      expectError(await upload(adminToken, Buffer.alloc(MAX_BYTES + 1, 'a')), 413, 'payload_too_large');
      expectError(await upload(adminToken, Buffer.alloc(MAX_BYTES + 2 * MIB, 'a')), 413, 'payload_too_large');
      expect((await api.request('GET', '/v1/files/usage', { token: adminToken })).body).toEqual(before.body);
      const json = await fetchJson('/v1/files', { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: '{}' });
      expectError(json, 415, 'unsupported_media_type');
      const empty = new FormData();
      empty.set('folder', 'x');
      expectError(await fetchJson('/v1/files', { method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, body: empty }), 400, 'validation_failed');
    });
  });

  describe('signed links and public files', () => {
    let file: StoredFile;
    const bytes = Buffer.from('shared through a link\n');

    beforeAll(async () => {
      file = (await upload(adminToken, bytes, { name: 'shared.txt' })).body;
    });

    async function link(expiresInSeconds: number, disposition: 'inline' | 'attachment' = 'attachment'): Promise<string> {
      const created = await api.request<{ url: string; expiresAt: string }>('POST', `/v1/files/${file.id}/links`, { token: adminToken, json: { expiresInSeconds, disposition } });
      expect(created.status).toBe(201);
      expect(Date.parse(created.body.expiresAt)).toBeGreaterThan(Date.now());
      const url = new URL(created.body.url);
      return `${url.pathname}${url.search}`;
    }

    it('serves the content without a token until the link expires, then 403 link_invalid', async () => {
      const path = await link(2, 'inline');
      const content = await download(path);
      expect(content.status).toBe(200);
      expect(content.bytes.equals(bytes)).toBe(true);
      expect(content.headers.get('content-disposition')).toBe('inline; filename=shared.txt');
      const ranged = await download(path, { range: 'bytes=0-5' });
      expect(ranged.status).toBe(206);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expectError(await fetchJson(path, {}), 403, 'link_invalid');
    });

    it('refuses a tampered link with 403 link_invalid', async () => {
      const path = await link(600);
      const url = new URL(path, api.baseUrl);
      const later = new URL(url);
      later.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
      const inline = new URL(url);
      inline.searchParams.set('disposition', 'inline');
      const signature = url.searchParams.get('signature') ?? '';
      const forged = new URL(url);
      forged.searchParams.set('signature', `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`);
      const otherFile = new URL(url);
      otherFile.pathname = `/public/files/links/${randomUUID()}`;
      const unsigned = new URL(url);
      unsigned.search = '';
      for (const tampered of [later, inline, forged, otherFile, unsigned]) expectError(await fetchJson(`${tampered.pathname}${tampered.search}`, {}), 403, 'link_invalid');
    });

    it('serves a public file without a token, cacheable, with ETag and Range', async () => {
      const created = await upload(adminToken, Buffer.from('public bytes'), { name: 'logo.txt', public: true });
      expect(created.body.public).toBe(true);
      const content = await download(`/public/files/${created.body.id}/logo.txt`);
      expect(content.status).toBe(200);
      expect(content.bytes.toString()).toBe('public bytes');
      // The files module's default (3600) in the cluster: the Tenant does not set it.
      expect(content.headers.get('cache-control')).toBe(`public, max-age=${shape === 'cluster' ? 3600 : 600}`);
      expect(content.headers.get('etag')).toBe(`"${created.body.sha256}"`);
      const ranged = await download(`/public/files/${created.body.id}/logo.txt`, { range: 'bytes=-5' });
      expect({ status: ranged.status, body: ranged.bytes.toString() }).toEqual({ status: 206, body: 'bytes' });
      expect((await download(`/public/files/${created.body.id}/logo.txt`, { 'if-none-match': `"${created.body.sha256}"` })).status).toBe(304);
    });
  });

  describe('access', () => {
    it('lets a member see and delete their own files only; another member’s private file is 404; managers see all', async () => {
      const alice = await member();
      const bob = await member();
      const manager = await member(['manager']);
      const own = (await upload(alice.token, Buffer.from('alice only'), { name: 'alice.txt' })).body;
      const shared = (await upload(alice.token, Buffer.from('alice public'), { name: 'alice-public.txt', public: true })).body;
      expect(own.ownerId).toBe(alice.id);
      expectError(await api.request('GET', `/v1/files/${own.id}`, { token: bob.token }), 404, 'not_found');
      expectError(await fetchJson(`/v1/files/${own.id}/content`, { headers: { authorization: `Bearer ${bob.token}` } }), 404, 'not_found');
      expectError(await api.request('POST', `/v1/files/${own.id}/links`, { token: bob.token, json: {} }), 404, 'not_found');
      expectError(await api.request('DELETE', `/v1/files/${own.id}`, { token: bob.token }), 404, 'not_found');
      expectError(await api.request('DELETE', `/v1/files/${shared.id}`, { token: bob.token }), 403, 'forbidden');
      const bobsList = await api.request<{ items: StoredFile[] }>('GET', '/v1/files', { token: bob.token });
      expect(bobsList.body.items).toEqual([]);
      const managersList = await api.request<{ items: StoredFile[] }>('GET', '/v1/files?limit=100', { token: manager.token });
      expect(managersList.body.items.map((item) => item.id)).toEqual(expect.arrayContaining([own.id, shared.id]));
      expect((await api.request('GET', `/v1/files/${own.id}`, { token: manager.token })).status).toBe(200);
      expect((await api.request('DELETE', `/v1/files/${own.id}`, { token: alice.token })).status).toBe(204);
      expect((await api.request('DELETE', `/v1/files/${shared.id}`, { token: manager.token })).status).toBe(204);
    });

    it('renames, moves and publishes a file (PATCH), own ones or any with files:write; refuses bad bodies', async () => {
      const alice = await member();
      const bob = await member();
      const manager = await member(['manager']);
      const folder = `moves-${randomUUID().slice(0, 6)}`;
      const file = (await upload(alice.token, Buffer.from('to be moved'), { name: 'draft.txt' })).body;
      const patch = (token: string, json: unknown, id = file.id) => api.request<StoredFile>('PATCH', `/v1/files/${id}`, { token, json });

      const moved = await patch(alice.token, { name: '../final.txt', folder: `${folder}/2026` });
      expect(moved.status).toBe(200);
      // Cleaned as an upload's name and folder are; the bytes and their hash stay.
      expect(moved.body).toMatchObject({ id: file.id, name: 'final.txt', folder: `${folder}/2026`, sha256: file.sha256, size: file.size, public: false });
      const listed = await api.request<{ items: StoredFile[] }>('GET', `/v1/files?folder=${encodeURIComponent(`${folder}/2026`)}`, { token: alice.token });
      expect(listed.body.items.map((item) => item.id)).toEqual([file.id]);
      expect((await api.request<{ items: StoredFile[] }>('GET', '/v1/files?folder=', { token: alice.token })).body.items.map((item) => item.id)).not.toContain(file.id);
      const content = await download(`/v1/files/${file.id}/content`, { authorization: `Bearer ${alice.token}` });
      expect(content.bytes.toString()).toBe('to be moved');
      expect(content.headers.get('content-disposition')).toContain(moved.body.name);

      // Made public: served without a token under its new name; private again: 404 there.
      expect((await patch(alice.token, { public: true })).body.public).toBe(true);
      expect((await download(`/public/files/${file.id}/${encodeURIComponent(moved.body.name)}`)).status).toBe(200);
      expect((await patch(alice.token, { public: false })).body.public).toBe(false);
      expect((await download(`/public/files/${file.id}/${encodeURIComponent(moved.body.name)}`)).status).toBe(404);
      // Nothing to change: the same file back.
      expect((await patch(alice.token, { folder: `${folder}/2026` })).body).toEqual((await api.request('GET', `/v1/files/${file.id}`, { token: alice.token })).body);

      expectError(await patch(bob.token, { name: 'mine.txt' }), 404, 'not_found');
      expect((await patch(alice.token, { public: true })).status).toBe(200);
      expectError(await patch(bob.token, { name: 'mine.txt' }), 403, 'forbidden');
      expect((await patch(manager.token, { folder: 'archive' })).body.folder).toBe('archive');
      expectError(await patch(alice.token, {}), 400, 'validation_failed');
      expectError(await patch(alice.token, { size: 1 }), 400, 'validation_failed');
      expectError(await patch(alice.token, { public: 'yes' }), 400, 'validation_failed');
      expectError(await patch(alice.token, { name: '' }), 400, 'validation_failed');
      expectError(await patch(alice.token, { name: 'x' }, 'not-an-id'), 400, 'validation_failed');
      expectError(await patch(alice.token, { name: 'x' }, randomUUID()), 404, 'not_found');
      expectError(await api.request('PATCH', `/v1/files/${file.id}`, { json: { name: 'x' } }), 401, 'token_missing');
    });

    it('streams a folder, or files by id, as one ZIP of what the caller may read', async () => {
      const alice = await member();
      const bob = await member();
      const folder = `zips-${randomUUID().slice(0, 6)}/2026`;
      const text = Buffer.from('first file\n'.repeat(1000));
      // A real 1×1 PNG: random bytes after a PNG signature sniff as something else now and then.
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
      const stored = async (...args: Parameters<typeof upload>): Promise<StoredFile> => {
        const answer = await upload(...args);
        expect(answer.status).toBe(201);
        return answer.body;
      };
      const a = await stored(alice.token, text, { name: 'notes.txt', folder });
      const b = await stored(alice.token, Buffer.from('second, same name'), { name: 'notes.txt', folder });
      const c = await stored(alice.token, png, { name: 'pixel.png', type: 'image/png', folder });
      const elsewhere = await stored(alice.token, Buffer.from('top level'), { name: 'top.txt' });
      const bobs = await stored(bob.token, Buffer.from('bob only'), { name: 'bob.txt', folder });

      const byFolder = await download(`/v1/files/archive?folder=${encodeURIComponent(folder)}`, { authorization: `Bearer ${alice.token}` });
      expect(byFolder.status).toBe(200);
      expect(byFolder.headers.get('content-type')).toBe('application/zip');
      expect(byFolder.headers.get('content-disposition')).toBe('attachment; filename=2026.zip');
      // Newest first, as listed; equal names numbered; Bob's file in the same folder left out.
      const entries = await unzip(byFolder.bytes);
      expect([...entries.keys()]).toEqual(['pixel.png', 'notes.txt', 'notes (2).txt']);
      expect(sha256(entries.get('pixel.png')!)).toBe(c.sha256);
      expect(sha256(entries.get('notes.txt')!)).toBe(b.sha256);
      expect(sha256(entries.get('notes (2).txt')!)).toBe(a.sha256);

      const byIds = await download(`/v1/files/archive?ids=${elsewhere.id},${a.id}`, { authorization: `Bearer ${alice.token}` });
      expect([...(await unzip(byIds.bytes)).keys()]).toEqual(['top.txt', `${folder}/notes.txt`]);
      expectError(await fetchJson(`/v1/files/archive?ids=${a.id},${bobs.id}`, { headers: { authorization: `Bearer ${alice.token}` } }), 404, 'not_found');
      expectError(await fetchJson(`/v1/files/archive?ids=${a.id}&folder=x`, { headers: { authorization: `Bearer ${alice.token}` } }), 400, 'validation_failed');
      expectError(await fetchJson('/v1/files/archive', { headers: { authorization: `Bearer ${alice.token}` } }), 400, 'validation_failed');
      expectError(await fetchJson('/v1/files/archive?ids=not-an-id', { headers: { authorization: `Bearer ${alice.token}` } }), 400, 'validation_failed');
      expectError(await fetchJson(`/v1/files/archive?folder=${encodeURIComponent(folder)}`, {}), 401, 'token_missing');
    });

    it('documents the byte routes beside the metadata routes', async () => {
      const document = await api.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs/openapi.json');
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining(['/v1/files', '/v1/files/archive', '/v1/files/{id}', '/v1/files/{id}/content', '/v1/files/uploads', '/v1/files/uploads/{uploadId}', '/public/files/{id}/{name}', '/public/files/links/{id}']),
      );
      expect(Object.keys(document.body.paths['/v1/files'] ?? {}).sort()).toEqual(['get', 'post']);
    });

    it('answers 401 for the metadata routes without a token', async () => {
      expectError(await api.request('GET', '/v1/files'), 401, 'token_missing');
      expectError(await api.request('GET', '/v1/files/usage'), 401, 'token_missing');
      expectError(await fetchJson('/v1/files', { method: 'POST', body: new FormData() }), 401, 'token_missing');
    });
  });

  describe('hostile file names', () => {
    const hostile: [string, string][] = [
      ['../../etc/passwd', 'etc_passwd'],
      ['..\\..\\windows\\win.ini', 'windows_win.ini'],
      ['nul\u0000byte.txt', 'nulbyte.txt'],
      ['bell\u0007and\u001bescape.txt', 'bellandescape.txt'],
      ['invoice\u202Etxt.exe', 'invoicetxt.exe'],
      ['\u200Fmarked\u200E.txt', 'marked.txt'],
    ];

    it.each(hostile)('stores %j as the safe name %j and serves it with a safe Content-Disposition', async (raw, safe) => {
      const { body, contentType } = rawMultipart(raw, Buffer.from('hostile\n'));
      const created = await fetchJson<StoredFile>('/v1/files', { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': contentType }, body });
      expect(created.status).toBe(201);
      expect(created.body.name).toBe(safe);
      const content = await download(`/v1/files/${created.body.id}/content`, { authorization: `Bearer ${adminToken}` });
      expect(content.headers.get('content-disposition')).toBe(`attachment; filename=${safe}`);
    });

    it('cuts a 300-character name to 255 and keeps it safe to send back (tus metadata too)', async () => {
      const long = `${'é'.repeat(296)}.txt`;
      const data = Buffer.from('long name\n');
      const upload = tusUpload(adminToken, data, { filename: long, contentType: 'text/plain', folder: '../../up/./and/../away' });
      const url = await finish(upload);
      const id = url.split('/').pop() ?? '';
      const stored = (await api.request<StoredFile>('GET', `/v1/files/${id}`, { token: adminToken })).body;
      expect([...stored.name]).toHaveLength(255);
      expect(stored.name.endsWith('.txt')).toBe(true);
      expect(stored.folder).toBe('up/and/away');
      const disposition = (await download(`/v1/files/${id}/content`, { authorization: `Bearer ${adminToken}` })).headers.get('content-disposition') ?? '';
      expect(disposition).toMatch(/^attachment; filename="\?+\.txt"; filename\*=UTF-8''(%C3%A9)+\.txt$/);
    });
  });

  // The test servers' S3 server, which the node's pods use too.
  describeIn('distributed', 'cluster')('the S3 server restarted during an upload', () => {
    it('gives the client a clean error, lists no half file, and the upload can be finished afterwards', async () => {
      const data = Buffer.concat([PDF_HEAD, randomBytes(12 * MIB)]);
      const created = await fetch(`${api.baseUrl}/v1/files/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'tus-resumable': '1.0.0', 'upload-length': String(data.length), 'upload-metadata': `filename ${Buffer.from('restart.pdf').toString('base64')}` },
      });
      expect(created.status).toBe(201);
      const location = new URL(created.headers.get('location') ?? '', `${api.baseUrl}/v1/files/uploads`).pathname;
      const id = location.split('/').pop() ?? '';
      const patch = (offset: number, body: Buffer) =>
        fetchJson(location, { method: 'PATCH', headers: { authorization: `Bearer ${adminToken}`, 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body });
      const first = await patch(0, data.subarray(0, 6 * MIB));
      expect(first.status).toBe(204);
      await platform.stopStorage();
      try {
        const failed = await patch(Number(first.headers.get('upload-offset')), data.subarray(Number(first.headers.get('upload-offset'))));
        expectError(failed, 503, 'storage_unavailable');
        expectError(await api.request('GET', `/v1/files/${id}`, { token: adminToken }), 404, 'not_found');
      } finally {
        await platform.startStorage();
      }
      const listed = await api.request<{ items: StoredFile[] }>('GET', '/v1/files?limit=100', { token: adminToken });
      expect(listed.body.items.map((item) => item.id)).not.toContain(id);
      // The client resumes where the server says it is.
      const resumed = tusUpload(adminToken, data, { filename: 'restart.pdf' }, { uploadUrl: `${api.baseUrl}${location}`, retryDelays: [500, 1000, 2000] });
      await finish(resumed);
      const file = await api.request<StoredFile>('GET', `/v1/files/${id}`, { token: adminToken });
      expect(file.body).toMatchObject({ size: data.length, sha256: sha256(data) });
    }, 120_000);
  });
});

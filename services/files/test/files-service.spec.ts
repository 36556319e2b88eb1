import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BusClient, InProcessTransport } from '@np/messaging';
import { createLogger } from '@np/observability';
import { quoteIdentifier } from '@np/persistence';
import { createServiceDeps } from '@np/runtime';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { testDatabaseUrl, testS3Server, testTokens, uniqueName, type TestTokens } from '@np/testing';
import pg from 'pg';
import { createS3Client, filesSettingsSchema, type FilesServiceHandle, startFilesService } from '../src/index.js';

// The files service against the real PostgreSQL, on the in-process bus and its data listener, called as the gateway would.
const schema = uniqueName('files_test');
const dataDir = mkdtempSync(join(tmpdir(), 'np-files-service-'));
const OWNER = '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11';
const OTHER = '3f0f4a52-9d7b-4c36-8a53-2b8f0e6f9a01';
let transport: InProcessTransport;
let service: FilesServiceHandle;
let tokens: TestTokens;
let client: BusClient;

beforeAll(async () => {
  transport = new InProcessTransport();
  await transport.start();
  tokens = await testTokens();
  const settings = filesSettingsSchema.parse({
    LOG_LEVEL: 'silent',
    NP_DATABASE_URL: testDatabaseUrl(),
    NP_FILES_SCHEMA: schema,
    NP_FILES_STORAGE: 'local',
    NP_DATA_DIR: dataDir,
    NP_FILES_DATA_PORT: '0',
    NP_FILES_QUOTA_BYTES: '1000',
  });
  const deps = createServiceDeps('files', settings, transport, { logger: createLogger({ service: 'files-test', level: 'silent' }), verifier: tokens.verifier });
  service = await startFilesService({ deps, settings });
  client = new BusClient(transport, 5000, 'gateway');
});

afterAll(async () => {
  await service.close();
  await transport.close();
  rmSync(dataDir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
  await admin.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
  await admin.end();
});

async function upload(token: string, content: string, name: string): Promise<Response> {
  const form = new FormData();
  form.set('file', new Blob([content], { type: 'text/plain' }), name);
  return fetch(`${service.dataUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
}

async function outboxEvents(): Promise<string[]> {
  const db = new pg.Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    const rows = await db.query<{ name: string }>(`select name from ${quoteIdentifier(schema)}.outbox order by occurred_at`);
    return rows.rows.map((row) => row.name);
  } finally {
    await db.end();
  }
}

async function updatedEvents(id: string): Promise<{ version: number; name: string; folder: string }[]> {
  const db = new pg.Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    const rows = await db.query<{ payload: { version: number; name: string; folder: string } }>(
      `select payload from ${quoteIdentifier(schema)}.outbox where name = 'files.file.updated' and payload->>'id' = $1`,
      [id],
    );
    return rows.rows.map((row) => row.payload);
  } finally {
    await db.end();
  }
}

describe('the files service', () => {
  it('lists an uploaded file with its event, reads and deletes it over the bus with its event', async () => {
    const token = await tokens.sign({ sub: OWNER, roles: ['member'] });
    const created = await upload(token, 'some text', 'a.txt');
    expect(created.status).toBe(201);
    const file = (await created.json()) as { id: string; size: number };
    await expect(client.call('files.get', { id: file.id }, { token })).resolves.toMatchObject({ id: file.id, name: 'a.txt', size: 9, ownerId: OWNER });
    await expect(client.call('files.usage', {}, { token })).resolves.toEqual({ bytes: 9, files: 1, quotaBytes: 1000 });
    await expect(client.call('files.delete', { id: file.id }, { token })).resolves.toEqual({});
    await expect(client.call('files.get', { id: file.id }, { token })).rejects.toMatchObject({ code: 'not_found' });
    await expect(outboxEvents()).resolves.toEqual(expect.arrayContaining(['files.file.uploaded', 'files.file.deleted']));
  });

  it('keeps two concurrent changes of different fields, counting the version up once for each, with one event each', async () => {
    const token = await tokens.sign({ sub: OWNER, roles: ['member'] });
    const file = (await (await upload(token, 'moving', 'm.txt')).json()) as { id: string };
    const before = (await outboxEvents()).filter((name) => name === 'files.file.updated').length;
    await Promise.all([client.call('files.update', { id: file.id, name: 'renamed.txt' }, { token }), client.call('files.update', { id: file.id, folder: 'elsewhere/2026' }, { token })]);
    await expect(client.call('files.get', { id: file.id }, { token })).resolves.toMatchObject({ name: 'renamed.txt', folder: 'elsewhere/2026', public: false });
    const updates = await updatedEvents(file.id);
    expect(updates.map((payload) => payload.version).sort()).toEqual([2, 3]);
    // A change to what it already is writes nothing.
    await client.call('files.update', { id: file.id, folder: 'elsewhere/2026' }, { token });
    expect((await outboxEvents()).filter((name) => name === 'files.file.updated')).toHaveLength(before + 2);
    await client.call('files.delete', { id: file.id }, { token });
  });

  it("hides another member's private file (not_found) and shows it to a manager", async () => {
    const owner = await tokens.sign({ sub: OWNER, roles: ['member'] });
    const other = await tokens.sign({ sub: OTHER, roles: ['member'] });
    const manager = await tokens.sign({ sub: OTHER, roles: ['manager'] });
    const file = (await (await upload(owner, 'private', 'p.txt')).json()) as { id: string };
    await expect(client.call('files.get', { id: file.id }, { token: other })).rejects.toMatchObject({ code: 'not_found' });
    await expect(client.call('files.list', { limit: 10 }, { token: other })).resolves.toEqual({ items: [], nextCursor: null });
    await expect(client.call('files.get', { id: file.id }, { token: manager })).resolves.toMatchObject({ id: file.id });
    await expect(client.call('files.delete', { id: file.id }, { token: manager })).resolves.toEqual({});
  });

  it('keeps to the quota when the bytes are in: 413 quota_exceeded and nothing listed', async () => {
    const token = await tokens.sign({ sub: OWNER, roles: ['member'] });
    const refused = await upload(token, 'x'.repeat(1001), 'big.txt');
    expect(refused.status).toBe(413);
    await expect(refused.json()).resolves.toMatchObject({ code: 'quota_exceeded' });
    await expect(client.call('files.list', { limit: 10 }, { token })).resolves.toMatchObject({ items: [] });
  });

  it('tells the form builder which ids name files a user may read (own and public ones), and refuses that check to others', async () => {
    const token = await tokens.sign({ sub: OWNER, roles: ['member'] });
    const own = (await (await upload(token, 'mine', 'own.txt')).json()) as { id: string };
    const missing = '00000000-0000-4000-8000-000000000000';
    const formBuilder = new BusClient(transport, 5000, 'form-builder');
    await expect(formBuilder.call('files.access.check', { ids: [own.id, missing], userId: OWNER })).resolves.toEqual({ files: [{ id: own.id, size: 4, contentType: 'text/plain' }] });
    await expect(formBuilder.call('files.access.check', { ids: [own.id], userId: OTHER })).resolves.toEqual({ files: [] });
    await expect(formBuilder.call('files.access.check', { ids: [own.id], userId: null })).resolves.toEqual({ files: [] });
    await expect(client.call('files.access.check', { ids: [own.id], userId: OWNER })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(client.call('files.delete', { id: own.id }, { token })).resolves.toEqual({});
  });

  it('sweeps nothing while no upload has expired', async () => {
    await expect(service.sweepUploads()).resolves.toBe(0);
  });
});

describe.each(['local', 's3'] as const)('abandoned resumable uploads (%s storage)', (storage) => {
  const expirySchema = uniqueName('files_expiry');
  const folder = mkdtempSync(join(tmpdir(), 'np-files-expiry-'));
  const bucket = `np-expiry-${storage}-${Date.now().toString(36)}`;
  let expiring: FilesServiceHandle;
  let bus: InProcessTransport;

  beforeAll(async () => {
    bus = new InProcessTransport();
    await bus.start();
    const settings = filesSettingsSchema.parse({
      ...process.env,
      LOG_LEVEL: 'silent',
      NP_DATABASE_URL: testDatabaseUrl(),
      NP_FILES_SCHEMA: expirySchema,
      NP_FILES_STORAGE: storage,
      NP_DATA_DIR: folder,
      NP_S3_BUCKET: bucket,
      NP_FILES_DATA_PORT: '0',
      NP_FILES_UPLOAD_EXPIRY_SECONDS: '1',
    });
    const deps = createServiceDeps('files', settings, bus, { logger: createLogger({ service: 'files-test', level: 'silent' }), verifier: tokens.verifier });
    expiring = await startFilesService({ deps, settings });
  });

  afterAll(async () => {
    await expiring.close();
    await bus.close();
    rmSync(folder, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    await admin.query(`drop schema if exists ${quoteIdentifier(expirySchema)} cascade`);
    await admin.end();
  });

  it('expire, and the sweep deletes them with their parts', async () => {
    const token = await tokens.sign({ sub: OWNER, roles: ['member'] });
    const tusHeaders = { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0' };
    const created = await fetch(`${expiring.dataUrl}/v1/files/uploads`, { method: 'POST', headers: { ...tusHeaders, 'upload-length': '100' } });
    expect(created.status).toBe(201);
    const location = new URL(created.headers.get('location') ?? '', expiring.dataUrl).pathname;
    const patched = await fetch(`${expiring.dataUrl}${location}`, { method: 'PATCH', headers: { ...tusHeaders, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: 'x'.repeat(40) });
    expect(patched.status).toBe(204);
    expect(patched.headers.get('upload-expires')).toEqual(expect.any(String));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await expect(expiring.sweepUploads()).resolves.toBeGreaterThanOrEqual(1);
    const after = await fetch(`${expiring.dataUrl}${location}`, { method: 'HEAD', headers: tusHeaders });
    expect([404, 410]).toContain(after.status);
    if (storage === 's3') {
      // Nothing of it left in the bucket: no object, no info, no unfinished part, no multipart upload.
      const s3 = testS3Server();
      const client = createS3Client({ url: s3.url, region: s3.region, accessKey: s3.accessKey, secretKey: s3.secretKey });
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
      client.destroy();
      expect({ objects: listed.Contents ?? [], uploads: uploads.Uploads ?? [] }).toEqual({ objects: [], uploads: [] });
    }
  });
});

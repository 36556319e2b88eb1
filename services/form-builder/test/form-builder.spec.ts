import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '@np/contracts';
import { BusClient, InProcessTransport } from '@np/messaging';
import { createLogger } from '@np/observability';
import { quoteIdentifier } from '@np/persistence';
import { createServiceDeps, type RunningService } from '@np/runtime';
import { testDatabaseUrl, testTokens, uniqueName, type TestTokens } from '@np/testing';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { formBuilderSettingsSchema, startFormBuilderService } from '../src/index.js';

// The form builder against the real PostgreSQL, on the in-process bus, called as the gateway would;
// its webhooks go to a receiver on loopback (listed in NP_WEBHOOK_ALLOWED_HOSTS).
const schema = uniqueName('form_builder_test');
const ADMIN = '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11';
const MEMBER = '3f0f4a52-9d7b-4c36-8a53-2b8f0e6f9a01';
let transport: InProcessTransport;
let service: RunningService;
let tokens: TestTokens;
let client: BusClient;
let admin: string;
let member: string;
let receiver: Server;
let receiverUrl: string;
const received: { id: string; status: number; verified: boolean; body: string }[] = [];
let secretForReceiver = '';
let failFirst = 0;

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      let verified: boolean;
      try {
        new Webhook(secretForReceiver).verify(body, request.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      const gone = request.url === '/gone';
      const status = gone ? 410 : failFirst > 0 ? 503 : 204;
      if (!gone) failFirst -= 1;
      received.push({ id: String(request.headers['webhook-id']), status, verified, body });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  transport = new InProcessTransport();
  await transport.start();
  tokens = await testTokens();
  const settings = formBuilderSettingsSchema.parse({
    LOG_LEVEL: 'silent',
    NP_DATABASE_URL: testDatabaseUrl(),
    NP_FORM_BUILDER_SCHEMA: schema,
    NP_WEBHOOK_ALLOWED_HOSTS: '*,127.0.0.1',
    NP_WEBHOOK_RETRY_BASE_MS: '50',
    NP_WEBHOOK_MAX_ATTEMPTS: '3',
  });
  const deps = createServiceDeps('form-builder', settings, transport, { logger: createLogger({ service: 'form-builder-test', level: 'silent' }), verifier: tokens.verifier });
  service = await startFormBuilderService({ deps, settings });
  client = new BusClient(transport, 5000, 'gateway');
  admin = await tokens.sign({ sub: ADMIN, roles: ['admin'] });
  member = await tokens.sign({ sub: MEMBER, roles: ['member'] });
});

afterAll(async () => {
  await service.close();
  await transport.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  const db = new pg.Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  await db.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
  await db.end();
});

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const dataSchema = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1 }, age: { type: 'integer', minimum: 0 } },
  required: ['name', 'age'],
};

describe('the form builder', () => {
  it('keeps drafts editable and versions immutable; submissions keep their version', async () => {
    const form = await client.call('form-builder.forms.create', { name: 'Signup', dataSchema, settings: { access: 'authenticated' } }, { token: admin });
    expect(form).toMatchObject({ name: 'Signup', status: 'draft', latestVersion: null });
    expect((await errorOf(client.call('form-builder.submissions.create', { formId: form.id, data: { name: 'x', age: 1 }, state: 'submitted' }, { token: member }))).code).toBe('form_not_published');
    const v1 = await client.call('form-builder.versions.publish', { id: form.id }, { token: admin });
    expect(v1).toMatchObject({ formId: form.id, version: 1 });
    const first = await client.call('form-builder.submissions.create', { formId: form.id, data: { name: 'Ada', age: 36 }, state: 'submitted' }, { token: member });
    expect(first).toMatchObject({ version: 1, state: 'submitted', submittedBy: MEMBER, data: { name: 'Ada', age: 36 } });
    await client.call('form-builder.forms.update', { id: form.id, dataSchema: { ...dataSchema, properties: { ...dataSchema.properties, email: { type: 'string', format: 'email' } }, required: ['name', 'email'] } }, { token: admin });
    const v2 = await client.call('form-builder.versions.publish', { id: form.id }, { token: admin });
    expect(v2.version).toBe(2);
    const second = await client.call('form-builder.submissions.create', { formId: form.id, data: { name: 'Bo', email: 'bo@example.com' }, state: 'submitted' }, { token: member });
    expect(second.version).toBe(2);
    await expect(client.call('form-builder.versions.get', { id: form.id, version: 1 }, { token: member })).resolves.toMatchObject({ version: 1, dataSchema });
    await expect(client.call('form-builder.submissions.list', { formId: form.id, version: 1, limit: 10 }, { token: admin })).resolves.toMatchObject({ items: [{ id: first.id }] });
    const page = await client.call('form-builder.submissions.list', { formId: form.id, limit: 1 }, { token: admin });
    expect(page.items.map((item) => item.id)).toEqual([second.id]);
    const next = await client.call('form-builder.submissions.list', { formId: form.id, limit: 1, cursor: page.nextCursor ?? '' }, { token: admin });
    expect(next.items.map((item) => item.id)).toEqual([first.id]);
  });

  it('saves and resumes drafts, then validates in full on submit', async () => {
    const form = await client.call('form-builder.forms.create', { name: 'Draft me', dataSchema, settings: { access: 'authenticated' } }, { token: admin });
    await client.call('form-builder.versions.publish', { id: form.id }, { token: admin });
    const draft = await client.call('form-builder.submissions.create', { formId: form.id, data: { name: 'Half' }, state: 'draft' }, { token: member });
    expect(draft.state).toBe('draft');
    const refused = await errorOf(client.call('form-builder.submissions.update', { id: draft.id, state: 'submitted' }, { token: member }));
    expect({ code: refused.code, details: refused.details }).toEqual({ code: 'validation_failed', details: [{ pointer: '/data/age', message: 'is required' }] });
    const other = await tokens.sign({ sub: ADMIN, roles: ['member'] });
    expect((await errorOf(client.call('form-builder.submissions.update', { id: draft.id, data: { name: 'x' } }, { token: other }))).code).toBe('not_found');
    const done = await client.call('form-builder.submissions.update', { id: draft.id, data: { name: 'Half', age: 2 }, state: 'submitted' }, { token: member });
    expect(done).toMatchObject({ state: 'submitted', data: { name: 'Half', age: 2 } });
    expect((await errorOf(client.call('form-builder.submissions.update', { id: draft.id, data: { name: 'Again', age: 3 } }, { token: member }))).code).toBe('conflict');
  });

  it('refuses hostile definitions with validation_failed and a pointer', async () => {
    const remote = await errorOf(client.call('form-builder.forms.create', { name: 'x', dataSchema: { type: 'object', properties: { a: { $ref: 'https://evil.example/s.json' } } } }, { token: admin }));
    expect({ code: remote.code, details: remote.details }).toMatchObject({ code: 'validation_failed', details: [{ pointer: '/dataSchema/properties/a/$ref' }] });
    const unknown = await errorOf(client.call('form-builder.forms.create', { name: 'x', dataSchema: { type: 'object', widget: 'slider' } }, { token: admin }));
    expect(unknown.details).toMatchObject([{ pointer: '/dataSchema/widget' }]);
  });

  it('signs webhook deliveries, retries 5xx with backoff, and logs every attempt', async () => {
    const form = await client.call('form-builder.forms.create', { name: 'Hooks', dataSchema, settings: { access: 'authenticated' } }, { token: admin });
    await client.call('form-builder.versions.publish', { id: form.id }, { token: admin });
    const refused = await errorOf(client.call('form-builder.webhooks.create', { formId: form.id, url: 'http://10.0.0.1/hook', events: ['submission.created'] }, { token: admin }));
    expect({ code: refused.code, details: refused.details }).toMatchObject({ code: 'validation_failed', details: [{ pointer: '/url' }] });
    const webhook = await client.call('form-builder.webhooks.create', { formId: form.id, url: receiverUrl, events: ['submission.created'] }, { token: admin });
    expect(webhook.secret).toMatch(/^whsec_/);
    secretForReceiver = webhook.secret;
    failFirst = 2;
    const submission = await client.call('form-builder.submissions.create', { formId: form.id, data: { name: 'Hook', age: 1 }, state: 'submitted' }, { token: member });
    const log = await waitFor(
      () => client.call('form-builder.deliveries.list', { formId: form.id, webhookId: webhook.id, limit: 10 }, { token: admin }),
      (list) => list.items[0]?.status === 'succeeded',
    );
    expect(log.items).toEqual([expect.objectContaining({ status: 'succeeded', attempts: 3, lastResponseCode: 204, event: 'submission.created' })]);
    expect(received.map((entry) => [entry.status, entry.verified])).toEqual([
      [503, true],
      [503, true],
      [204, true],
    ]);
    expect(new Set(received.map((entry) => entry.id)).size).toBe(1);
    expect(JSON.parse(received[2]?.body ?? '{}')).toMatchObject({ type: 'submission.created', data: { submission: { id: submission.id } } });
    const again = await client.call('form-builder.deliveries.redeliver', { formId: form.id, webhookId: webhook.id, deliveryId: log.items[0]?.id ?? '' }, { token: admin });
    expect(again.status).toBe('pending');
    await waitFor(
      () => client.call('form-builder.deliveries.list', { formId: form.id, webhookId: webhook.id, limit: 10 }, { token: admin }),
      (list) => list.items[0]?.status === 'succeeded' && list.items[0].attempts === 4,
    );
    expect(received).toHaveLength(4);
  });

  it('fails a delivery at once on an answer that is not retried (410), and logs it', async () => {
    const form = await client.call('form-builder.forms.create', { name: 'Gone', dataSchema, settings: { access: 'authenticated' } }, { token: admin });
    await client.call('form-builder.versions.publish', { id: form.id }, { token: admin });
    const webhook = await client.call('form-builder.webhooks.create', { formId: form.id, url: receiverUrl.replace('/hooks', '/gone'), events: ['submission.created', 'submission.updated'] }, { token: admin });
    const draft = await client.call('form-builder.submissions.create', { formId: form.id, data: { name: 'Draft' }, state: 'draft' }, { token: member });
    await client.call('form-builder.submissions.update', { id: draft.id, data: { name: 'Draft', age: 3 }, state: 'submitted' }, { token: member });
    const log = await waitFor(
      () => client.call('form-builder.deliveries.list', { formId: form.id, webhookId: webhook.id, limit: 10 }, { token: admin }),
      (list) => list.items.length === 2 && list.items.every((item) => item.status === 'failed'),
    );
    expect(log.items.map((item) => [item.event, item.attempts, item.lastResponseCode]).sort()).toEqual([
      ['submission.created', 1, 410],
      ['submission.updated', 1, 410],
    ]);
  });
});

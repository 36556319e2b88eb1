import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { ApiClient, type ApiResponse } from '../harness/http-client.js';
import { type PlatformUnderTest, shapeUnderTest } from '../harness/platform.js';
import { startSession } from '../harness/session.js';
import { describeIn, PLATFORM_CLOSE_MS, PLATFORM_STARTUP_MS } from '../harness/shapes.js';

// The form builder through the gateway, in both shapes: definitions and immutable versions,
// submissions validated on the server (UI rules, if/then, drafts, file fields confirmed by the
// files module), public forms under a per-address limit, Standard Webhooks deliveries retried
// through the outbox, and hostile definitions.
const shape = shapeUnderTest();
const BODY_LIMIT = 1024 * 1024;
const PUBLIC_PER_MINUTE = 5;
/** A Tenant does not set the module's public limit: in the cluster shape it is the module's default. */
const PUBLIC_LIMIT = shape === 'cluster' ? 30 : PUBLIC_PER_MINUTE;
let platform: PlatformUnderTest;
let api: ApiClient;
let adminToken: string;

type Json = Record<string, unknown>;
interface Form {
  id: string;
  name: string;
  status: string;
  latestVersion: number | null;
}
interface Submission {
  id: string;
  formId: string;
  version: number;
  state: string;
  data: Json;
  submittedBy: string | null;
}
interface Problem {
  pointer: string;
  message: string;
}

beforeAll(async () => {
  ({ platform, api, adminToken } = await startSession(shape, {
    env: {
      NP_MODULES: 'users,files,form-builder',
      NP_BODY_LIMIT_BYTES: String(BODY_LIMIT),
      NP_WEBHOOK_ALLOWED_HOSTS: '*,127.0.0.1',
      NP_WEBHOOK_RETRY_BASE_MS: '100',
      NP_WEBHOOK_MAX_ATTEMPTS: '3',
      NP_FORMS_PUBLIC_SUBMISSIONS_PER_MINUTE: String(PUBLIC_PER_MINUTE),
    },
  }));
}, PLATFORM_STARTUP_MS);
afterAll(() => platform?.close(), PLATFORM_CLOSE_MS);

async function member(): Promise<{ id: string; token: string }> {
  const email = `forms-${randomUUID().slice(0, 8)}@e2e.test`;
  const created = await api.request<{ id: string }>('POST', '/v1/users', { token: adminToken, json: { email, displayName: 'Forms', password: 'a-good-password', roles: ['member'] } });
  expect(created.status).toBe(201);
  return { id: created.body.id, token: (await api.login(email, 'a-good-password')).access_token };
}

function expectError(response: ApiResponse<unknown>, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { code?: string } | undefined)?.code }).toEqual({ status, code });
}

function problems(response: ApiResponse<unknown>): Problem[] {
  return ((response.body as { details?: Problem[] }).details ?? []).map(({ pointer, message }) => ({ pointer, message }));
}

async function publishedForm(definition: Json, settings: Json = { access: 'authenticated' }): Promise<Form> {
  const created = await api.request<Form>('POST', '/v1/forms', { token: adminToken, json: { name: `Form ${randomUUID().slice(0, 6)}`, ...definition, settings } });
  expect(created.status).toBe(201);
  const published = await api.request('POST', `/v1/forms/${created.body.id}/versions`, { token: adminToken });
  expect(published.status).toBe(201);
  return created.body;
}

/**
 * POSTs a body the gateway refuses by its announced length. It answers 413 from the headers and
 * closes the connection, so the body is sent only if no answer came first (writing into the
 * closed connection would lose the answer to EPIPE).
 */
function postOversized(path: string, token: string, body: string): Promise<ApiResponse<unknown>> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const request = httpRequest(`${api.baseUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (response) => {
      answered = true;
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, headers: new Headers(), body: JSON.parse(text) as unknown });
      });
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });
    request.flushHeaders();
    setTimeout(() => {
      if (!answered) request.end(body);
    }, 2000).unref();
  });
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const personSchema = {
  type: 'object',
  properties: { name: { type: 'string', minLength: 1 }, age: { type: 'integer', minimum: 0 } },
  required: ['name', 'age'],
};

describe(`form builder (${shape})`, () => {
  describe('definitions and versions', () => {
    it('creates a draft, edits it, lists and reads it, publishes immutable versions and archives it', async () => {
      const created = await api.request<Form & Json>('POST', '/v1/forms', { token: adminToken, json: { name: 'Intake e2e', description: 'first', dataSchema: personSchema } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Intake e2e', status: 'draft', latestVersion: null, settings: { access: 'restricted' } });
      const id = created.body.id;
      await expect(api.request('GET', `/v1/forms/${id}`, { token: adminToken })).resolves.toMatchObject({ status: 200, body: { id, dataSchema: personSchema } });
      const listed = await api.request<{ items: Form[] }>('GET', '/v1/forms?q=intake%20E2E&limit=5', { token: adminToken });
      expect(listed.body.items.map((form) => form.id)).toContain(id);
      const patched = await api.request('PATCH', `/v1/forms/${id}`, { token: adminToken, json: { description: 'second', settings: { access: 'authenticated' } } });
      expect(patched).toMatchObject({ status: 200, body: { description: 'second', settings: { access: 'authenticated' } } });

      const v1 = await api.request<{ formId: string; version: number; publishedAt: string }>('POST', `/v1/forms/${id}/versions`, { token: adminToken });
      expect(v1.status).toBe(201);
      expect(v1.body).toMatchObject({ formId: id, version: 1 });
      expect(typeof v1.body.publishedAt).toBe('string');
      await api.request('PATCH', `/v1/forms/${id}`, { token: adminToken, json: { dataSchema: { ...personSchema, required: ['name'] } } });
      await expect(api.request('GET', `/v1/forms/${id}/versions/1`, { token: adminToken })).resolves.toMatchObject({ status: 200, body: { version: 1, dataSchema: personSchema } });
      expectError(await api.request('GET', `/v1/forms/${id}/versions/2`, { token: adminToken }), 404, 'not_found');
      await expect(api.request('GET', `/v1/forms/${id}`, { token: adminToken })).resolves.toMatchObject({ body: { status: 'published', latestVersion: 1 } });

      const deleted = await api.request('DELETE', `/v1/forms/${id}`, { token: adminToken });
      expect(deleted.status).toBe(204);
      const after = await api.request<{ items: Form[] }>('GET', '/v1/forms?q=intake%20e2e', { token: adminToken });
      expect(after.body.items.map((form) => form.id)).not.toContain(id);
      expectError(await api.request('POST', `/v1/forms/${id}/submissions`, { token: adminToken, json: { data: { name: 'x', age: 1 } } }), 409, 'form_not_published');
      expectError(await api.request('PATCH', `/v1/forms/${id}`, { token: adminToken, json: { name: 'again' } }), 409, 'conflict');
    });

    it('answers 404 for unknown forms, 403 to members on definition routes, 401 without a token, 400 for bad bodies', async () => {
      const { token } = await member();
      const unknown = randomUUID();
      expectError(await api.request('GET', `/v1/forms/${unknown}`, { token: adminToken }), 404, 'not_found');
      expectError(await api.request('POST', `/v1/forms/${unknown}/versions`, { token: adminToken }), 404, 'not_found');
      expectError(await api.request('GET', '/v1/forms', { token }), 403, 'forbidden');
      expectError(await api.request('POST', '/v1/forms', { token, json: { name: 'x', dataSchema: personSchema } }), 403, 'forbidden');
      expectError(await api.request('GET', '/v1/forms'), 401, 'token_missing');
      expectError(await api.request('POST', '/v1/forms', { token: adminToken, json: { name: '', dataSchema: personSchema } }), 400, 'validation_failed');
      expectError(await api.request('GET', '/v1/forms?cursor=not-ours', { token: adminToken }), 400, 'validation_failed');
      expectError(await api.request('GET', '/v1/forms/not-a-uuid', { token: adminToken }), 400, 'validation_failed');
    });
  });

  describe('submissions', () => {
    it('refuses submissions to an unpublished form (409) and to a restricted one for members (403)', async () => {
      const { token } = await member();
      const draft = await api.request<Form>('POST', '/v1/forms', { token: adminToken, json: { name: 'Unpublished', dataSchema: personSchema, settings: { access: 'authenticated' } } });
      expectError(await api.request('POST', `/v1/forms/${draft.body.id}/submissions`, { token, json: { data: { name: 'a', age: 1 } } }), 409, 'form_not_published');
      const restricted = await publishedForm({ dataSchema: personSchema }, { access: 'restricted' });
      expectError(await api.request('POST', `/v1/forms/${restricted.id}/submissions`, { token, json: { data: { name: 'a', age: 1 } } }), 403, 'forbidden');
      expectError(await api.request('GET', `/v1/forms/${restricted.id}/versions/1`, { token }), 404, 'not_found');
      expectError(await api.request('POST', `/v1/forms/${randomUUID()}/submissions`, { token, json: { data: {} } }), 404, 'not_found');
    });

    it('keeps two versions apart: each submission stays with the version it was made against', async () => {
      const { id: memberId, token } = await member();
      const form = await publishedForm({ dataSchema: personSchema });
      const first = await api.request<Submission>('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: 'Ada', age: 36 } } });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ formId: form.id, version: 1, state: 'submitted', data: { name: 'Ada', age: 36 }, submittedBy: memberId });
      const withEmail = { ...personSchema, properties: { ...personSchema.properties, email: { type: 'string', format: 'email' } }, required: ['email'] };
      await api.request('PATCH', `/v1/forms/${form.id}`, { token: adminToken, json: { dataSchema: withEmail } });
      await api.request('POST', `/v1/forms/${form.id}/versions`, { token: adminToken });
      const refused = await api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: 'Bo', age: 3 } } });
      expectError(refused, 400, 'validation_failed');
      expect(problems(refused)).toEqual([{ pointer: '/data/email', message: 'is required' }]);
      const second = await api.request<Submission>('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { email: 'bo@example.com' } } });
      expect(second.body).toMatchObject({ version: 2, data: { email: 'bo@example.com' } });

      const v1 = await api.request<{ items: Submission[] }>('GET', `/v1/forms/${form.id}/submissions?version=1`, { token: adminToken });
      expect(v1.body.items.map((item) => item.id)).toEqual([first.body.id]);
      const page = await api.request<{ items: Submission[]; nextCursor: string }>('GET', `/v1/forms/${form.id}/submissions?limit=1&state=submitted`, { token: adminToken });
      expect(page.body.items.map((item) => item.id)).toEqual([second.body.id]);
      const next = await api.request<{ items: Submission[] }>('GET', `/v1/forms/${form.id}/submissions?limit=1&cursor=${page.body.nextCursor}`, { token: adminToken });
      expect(next.body.items.map((item) => item.id)).toEqual([first.body.id]);
      expectError(await api.request('GET', `/v1/forms/${form.id}/submissions`, { token }), 403, 'forbidden');

      await expect(api.request('GET', `/v1/submissions/${first.body.id}`, { token })).resolves.toMatchObject({ status: 200, body: { id: first.body.id, version: 1 } });
      await expect(api.request('GET', `/v1/submissions/${first.body.id}`, { token: adminToken })).resolves.toMatchObject({ status: 200 });
      const other = await member();
      expectError(await api.request('GET', `/v1/submissions/${first.body.id}`, { token: other.token }), 404, 'not_found');
    });

    it('reports every invalid field at its pointer and refuses unknown fields', async () => {
      const { token } = await member();
      const form = await publishedForm({ dataSchema: personSchema });
      const response = await api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: '', age: -1, nickname: 'x' } } });
      expectError(response, 400, 'validation_failed');
      expect(problems(response).map((problem) => problem.pointer).sort()).toEqual(['/data/age', '/data/name', '/data/nickname']);
      expectError(await api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: {}, state: 'final' } }), 400, 'validation_failed');
    });

    it('enforces conditional logic on the server: a rule-hidden required field and an if/then branch', async () => {
      const { token } = await member();
      const form = await publishedForm({
        dataSchema: {
          type: 'object',
          properties: {
            employed: { type: 'boolean' },
            employer: { type: 'string', minLength: 2 },
            contact: { enum: ['email', 'phone'] },
            email: { type: 'string', format: 'email' },
            phone: { type: 'string' },
          },
          required: ['contact', 'employer'],
          if: { properties: { contact: { const: 'email' } }, required: ['contact'] },
          then: { required: ['email'] },
          else: { required: ['phone'] },
        },
        uiSchema: {
          type: 'VerticalLayout',
          elements: [
            { type: 'Control', scope: '#/properties/employed' },
            { type: 'Control', scope: '#/properties/employer', rule: { effect: 'SHOW', condition: { scope: '#/properties/employed', schema: { const: true } } } },
            { type: 'Control', scope: '#/properties/contact' },
          ],
        },
      });
      const hidden = await api.request<Submission>('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { employed: false, employer: 'x', contact: 'email', email: 'a@example.com', phone: '123' } } });
      expect(hidden.status).toBe(201);
      expect(hidden.body.data).toEqual({ employed: false, contact: 'email', email: 'a@example.com' });
      const shown = await api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { employed: true, contact: 'phone' } } });
      expectError(shown, 400, 'validation_failed');
      expect(problems(shown)).toEqual(expect.arrayContaining([{ pointer: '/data/employer', message: 'is required' }, { pointer: '/data/phone', message: 'is required' }]));
      const phone = await api.request<Submission>('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { employed: true, employer: 'NP', contact: 'phone', phone: '123', email: 'dropped@example.com' } } });
      expect(phone.body.data).toEqual({ employed: true, employer: 'NP', contact: 'phone', phone: '123' });
    });

    it('saves a draft without required fields, resumes it, and validates in full on submit', async () => {
      const { token } = await member();
      const form = await publishedForm({ dataSchema: personSchema });
      const draft = await api.request<Submission>('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: 'Half' }, state: 'draft' } });
      expect(draft.status).toBe(201);
      expect(draft.body).toMatchObject({ state: 'draft', data: { name: 'Half' } });
      expectError(await api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { age: 'old' }, state: 'draft' } }), 400, 'validation_failed');
      const resumed = await api.request<Submission>('PATCH', `/v1/submissions/${draft.body.id}`, { token, json: { data: { name: 'Half', age: 1 } } });
      expect(resumed).toMatchObject({ status: 200, body: { state: 'draft', data: { name: 'Half', age: 1 } } });
      const incomplete = await api.request('PATCH', `/v1/submissions/${draft.body.id}`, { token, json: { data: { name: 'Half' }, state: 'submitted' } });
      expectError(incomplete, 400, 'validation_failed');
      expect(problems(incomplete)).toEqual([{ pointer: '/data/age', message: 'is required' }]);
      const other = await member();
      expectError(await api.request('PATCH', `/v1/submissions/${draft.body.id}`, { token: other.token, json: { state: 'submitted' } }), 404, 'not_found');
      const submitted = await api.request('PATCH', `/v1/submissions/${draft.body.id}`, { token, json: { state: 'submitted' } });
      expect(submitted).toMatchObject({ status: 200, body: { state: 'submitted', data: { name: 'Half', age: 1 } } });
      expectError(await api.request('PATCH', `/v1/submissions/${draft.body.id}`, { token, json: { data: { name: 'Late', age: 2 } } }), 409, 'conflict');
      expectError(await api.request('PATCH', `/v1/submissions/${randomUUID()}`, { token, json: { state: 'submitted' } }), 404, 'not_found');
    });

    it('closes an archived form: no new submission, a draft can no longer be submitted or saved (409), reading stays allowed', async () => {
      const { token } = await member();
      const form = await publishedForm({ dataSchema: personSchema });
      const draft = await api.request<Submission>('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: 'Late' }, state: 'draft' } });
      expect(draft.status).toBe(201);
      const submitted = await api.request<Submission>('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: 'Early', age: 1 } } });
      expect(submitted.status).toBe(201);
      expect((await api.request('DELETE', `/v1/forms/${form.id}`, { token: adminToken })).status).toBe(204);

      expectError(await api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: 'New', age: 2 } } }), 409, 'form_not_published');
      expectError(await api.request('PATCH', `/v1/submissions/${draft.body.id}`, { token, json: { data: { name: 'Late', age: 3 }, state: 'submitted' } }), 409, 'form_not_published');
      expectError(await api.request('PATCH', `/v1/submissions/${draft.body.id}`, { token, json: { state: 'submitted' } }), 409, 'form_not_published');
      expectError(await api.request('PATCH', `/v1/submissions/${draft.body.id}`, { token, json: { data: { name: 'Later' } } }), 409, 'form_not_published');
      // A submitted one stays unchangeable for its own reason.
      expectError(await api.request('PATCH', `/v1/submissions/${submitted.body.id}`, { token, json: { data: { name: 'x', age: 1 } } }), 409, 'conflict');

      await expect(api.request('GET', `/v1/submissions/${draft.body.id}`, { token })).resolves.toMatchObject({ status: 200, body: { id: draft.body.id, state: 'draft', data: { name: 'Late' } } });
      const listed = await api.request<{ items: Submission[] }>('GET', `/v1/forms/${form.id}/submissions`, { token: adminToken });
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((item) => item.id).sort()).toEqual([draft.body.id, submitted.body.id].sort());
      await expect(api.request('GET', `/v1/forms/${form.id}/versions/1`, { token: adminToken })).resolves.toMatchObject({ status: 200 });
    });

    it('takes file ids the submitter may read (own file), refuses someone else\'s and missing ones, and keeps the limits', async () => {
      const owner = await member();
      const other = await member();
      const upload = async (token: string, text: string, type: string): Promise<string> => {
        const body = new FormData();
        body.set('file', new Blob([text], { type }), 'evidence.txt');
        const response = await fetch(`${api.baseUrl}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
        expect(response.status).toBe(201);
        return ((await response.json()) as { id: string }).id;
      };
      const own = await upload(owner.token, 'my evidence', 'text/plain');
      const foreign = await upload(other.token, 'not yours', 'text/plain');
      const big = await upload(owner.token, 'x'.repeat(200), 'text/plain');
      const form = await publishedForm({
        dataSchema: {
          type: 'object',
          properties: {
            attachment: { type: 'string', format: 'uuid', 'x-np-file': true, 'x-np-max-bytes': 100, 'x-np-content-types': ['text/plain'] },
            photo: { type: 'string', format: 'uuid', 'x-np-file': true, 'x-np-content-types': ['image/*'] },
          },
          required: ['attachment'],
        },
      });
      const accepted = await api.request<Submission>('POST', `/v1/forms/${form.id}/submissions`, { token: owner.token, json: { data: { attachment: own } } });
      expect(accepted.status).toBe(201);
      expect(accepted.body.data).toEqual({ attachment: own });
      for (const [data, pointer, message] of [
        [{ attachment: foreign }, '/data/attachment', 'is not a file you may read'],
        [{ attachment: randomUUID() }, '/data/attachment', 'is not a file you may read'],
        [{ attachment: big }, '/data/attachment', 'the file is larger than 100 bytes'],
        [{ attachment: own, photo: own }, '/data/photo', expect.stringMatching(/not one of image/)],
      ] as const) {
        const refused = await api.request('POST', `/v1/forms/${form.id}/submissions`, { token: owner.token, json: { data } });
        expectError(refused, 400, 'validation_failed');
        expect(problems(refused)).toEqual([{ pointer, message }]);
      }
    });

    it('takes anonymous submissions on public forms only, within the per-address limit', async () => {
      const publicForm = await publishedForm({ dataSchema: personSchema }, { access: 'public' });
      const members = await publishedForm({ dataSchema: personSchema });
      await expect(api.request('GET', `/v1/public/forms/${publicForm.id}`)).resolves.toMatchObject({ status: 200, body: { formId: publicForm.id, version: 1 } });
      expectError(await api.request('GET', `/v1/public/forms/${members.id}`), 404, 'not_found');
      expectError(await api.request('POST', `/v1/public/forms/${members.id}/submissions`, { json: { data: { name: 'a', age: 1 } } }), 404, 'not_found');
      const anonymous = await api.request<Submission>('POST', `/v1/public/forms/${publicForm.id}/submissions`, { json: { data: { name: 'Anon', age: 1 } } });
      expect(anonymous.status).toBe(201);
      expect(anonymous.body).toMatchObject({ submittedBy: null, state: 'submitted', version: 1 });
      expectError(await api.request('POST', `/v1/public/forms/${publicForm.id}/submissions`, { json: { data: { name: 'Anon', age: 1 }, state: 'draft' } }), 400, 'validation_failed');
      let limited: ApiResponse<unknown> | undefined;
      for (let attempt = 0; attempt <= PUBLIC_LIMIT && !limited; attempt += 1) {
        const response = await api.request('POST', `/v1/public/forms/${publicForm.id}/submissions`, { json: { data: { name: 'Again', age: 2 } } });
        if (response.status === 429) limited = response;
        else expect(response.status).toBe(201);
      }
      expect(limited).toBeDefined();
      expectError(limited as ApiResponse<unknown>, 429, 'rate_limited');
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  // The receiver listens on this machine's loopback, which no pod of the node reaches.
  describeIn('embedded', 'distributed')('webhooks', () => {
    let receiver: Server;
    let receiverBase: string;
    let receiverUrl: string;
    // Every path the receiver was called on; only `/hooks` verifies and fails on purpose.
    const paths: string[] = [];
    let secret = '';
    let failuresLeft = 2;
    const attempts: { id: string; status: number }[] = [];
    const effects: Json[] = [];

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          paths.push(request.url ?? '');
          if (request.url !== '/hooks') {
            response.writeHead(204).end();
            return;
          }
          const body = Buffer.concat(chunks).toString('utf8');
          let status = 204;
          try {
            // A Standard Webhooks library verifies the signature, the id and the timestamp.
            const verified = new Webhook(secret).verify(body, request.headers as Record<string, string>) as Json;
            if (failuresLeft > 0) {
              failuresLeft -= 1;
              status = 503;
            } else if (!effects.some((effect) => effect.id === request.headers['webhook-id'])) {
              effects.push({ id: request.headers['webhook-id'], ...verified });
            }
          } catch {
            status = 401;
          }
          attempts.push({ id: String(request.headers['webhook-id']), status });
          response.writeHead(status).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      receiverUrl = `${receiverBase}/hooks`;
    });
    afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

    it('delivers a signed submission.created: fails twice, accepted the third time, three attempts logged, one effect', async () => {
      const { token } = await member();
      const form = await publishedForm({ dataSchema: personSchema });
      const created = await api.request<{ id: string; url: string; events: string[]; secret: string }>('POST', `/v1/forms/${form.id}/webhooks`, {
        token: adminToken,
        json: { url: receiverUrl, events: ['submission.created'] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ url: receiverUrl, events: ['submission.created'] });
      expect(created.body.secret).toMatch(/^whsec_/);
      secret = created.body.secret;
      const submission = await api.request<Submission>('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: 'Hooked', age: 9 } } });
      const path = `/v1/forms/${form.id}/webhooks/${created.body.id}/deliveries`;
      const log = await waitFor(
        () => api.request<{ items: { id: string; status: string; attempts: number; lastResponseCode: number }[] }>('GET', path, { token: adminToken }),
        (response) => response.body.items[0]?.status === 'succeeded',
      );
      expect(log.body.items).toHaveLength(1);
      expect(log.body.items[0]).toMatchObject({ status: 'succeeded', attempts: 3, lastResponseCode: 204, event: 'submission.created' });
      expect(attempts.map((attempt) => attempt.status)).toEqual([503, 503, 204]);
      expect(new Set(attempts.map((attempt) => attempt.id))).toEqual(new Set([log.body.items[0]?.id]));
      expect(effects).toHaveLength(1);
      expect(effects[0]).toMatchObject({ type: 'submission.created', data: { submission: { id: submission.body.id, data: { name: 'Hooked', age: 9 } } } });

      const deliveryId = log.body.items[0]?.id ?? '';
      const again = await api.request('POST', `${path}/${deliveryId}/redeliver`, { token: adminToken });
      expect(again).toMatchObject({ status: 200, body: { id: deliveryId, status: 'pending' } });
      await waitFor(
        () => api.request<{ items: { attempts: number; status: string }[] }>('GET', path, { token: adminToken }),
        (response) => response.body.items[0]?.status === 'succeeded' && response.body.items[0].attempts === 4,
      );
      // The same webhook-id again: the receiver's effect stays one.
      expect(effects).toHaveLength(1);
      expectError(await api.request('POST', `${path}/${randomUUID()}/redeliver`, { token: adminToken }), 404, 'not_found');
      expectError(await api.request('GET', `/v1/forms/${form.id}/webhooks/${randomUUID()}/deliveries`, { token: adminToken }), 404, 'not_found');
      expectError(await api.request('GET', path, { token }), 403, 'forbidden');
    });

    it("lists a form's webhooks without their secrets and removes one with its log: nothing more is sent to it", async () => {
      const { token } = await member();
      const form = await publishedForm({ dataSchema: personSchema });
      const otherForm = await publishedForm({ dataSchema: personSchema });
      const subscribe = async (formId: string, path: string, events: string[]) => {
        const created = await api.request<{ id: string; createdAt: string }>('POST', `/v1/forms/${formId}/webhooks`, { token: adminToken, json: { url: `${receiverBase}${path}`, events } });
        expect(created.status).toBe(201);
        return created.body;
      };
      const kept = await subscribe(form.id, '/kept', ['submission.created']);
      const gone = await subscribe(form.id, '/gone', ['submission.created', 'submission.updated']);
      const foreign = await subscribe(otherForm.id, '/foreign', ['submission.created']);

      const listed = await api.request<{ items: Json[] }>('GET', `/v1/forms/${form.id}/webhooks`, { token: adminToken });
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([
        { id: kept.id, url: `${receiverBase}/kept`, events: ['submission.created'], createdAt: kept.createdAt },
        { id: gone.id, url: `${receiverBase}/gone`, events: ['submission.created', 'submission.updated'], createdAt: gone.createdAt },
      ]);

      // The log of a delivery made before the removal goes with the webhook.
      await api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: 'Before', age: 1 } } });
      const logOf = (webhookId: string) => api.request<{ items: { status: string }[] }>('GET', `/v1/forms/${form.id}/webhooks/${webhookId}/deliveries`, { token: adminToken });
      await waitFor(() => logOf(gone.id), (response) => response.body.items[0]?.status === 'succeeded');

      expectError(await api.request('GET', `/v1/forms/${form.id}/webhooks`, { token }), 403, 'forbidden');
      expectError(await api.request('DELETE', `/v1/forms/${form.id}/webhooks/${gone.id}`, { token }), 403, 'forbidden');
      expectError(await api.request('DELETE', `/v1/forms/${form.id}/webhooks/${foreign.id}`, { token: adminToken }), 404, 'not_found');
      expectError(await api.request('DELETE', `/v1/forms/${form.id}/webhooks/${randomUUID()}`, { token: adminToken }), 404, 'not_found');
      expectError(await api.request('GET', `/v1/forms/${randomUUID()}/webhooks`, { token: adminToken }), 404, 'not_found');
      expectError(await api.request('DELETE', `/v1/forms/${form.id}/webhooks/not-a-uuid`, { token: adminToken }), 400, 'validation_failed');

      expect((await api.request('DELETE', `/v1/forms/${form.id}/webhooks/${gone.id}`, { token: adminToken })).status).toBe(204);
      expectError(await logOf(gone.id), 404, 'not_found');
      expectError(await api.request('DELETE', `/v1/forms/${form.id}/webhooks/${gone.id}`, { token: adminToken }), 404, 'not_found');
      const after = await api.request<{ items: { id: string }[] }>('GET', `/v1/forms/${form.id}/webhooks`, { token: adminToken });
      expect(after.body.items.map((item) => item.id)).toEqual([kept.id]);
      await expect(api.request('GET', `/v1/forms/${otherForm.id}/webhooks`, { token: adminToken })).resolves.toMatchObject({ status: 200, body: { items: [{ id: foreign.id }] } });

      // The next submission reaches the kept webhook only.
      const goneCalls = paths.filter((path) => path === '/gone').length;
      await api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { name: 'After', age: 2 } } });
      await waitFor(() => logOf(kept.id), (response) => response.body.items.length === 2 && response.body.items.every((item) => item.status === 'succeeded'));
      expect(paths.filter((path) => path === '/gone')).toHaveLength(goneCalls);
    });

    it('refuses private and loopback targets that are not listed, and bad subscriptions', async () => {
      const form = await publishedForm({ dataSchema: personSchema });
      for (const url of ['http://10.0.0.1/hook', 'http://localhost:9/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/hook']) {
        const refused = await api.request('POST', `/v1/forms/${form.id}/webhooks`, { token: adminToken, json: { url, events: ['submission.created'] } });
        expectError(refused, 400, 'validation_failed');
        expect(problems(refused).map((problem) => problem.pointer)).toEqual(['/url']);
      }
      expectError(await api.request('POST', `/v1/forms/${form.id}/webhooks`, { token: adminToken, json: { url: 'ftp://example.com/x', events: ['submission.created'] } }), 400, 'validation_failed');
      expectError(await api.request('POST', `/v1/forms/${form.id}/webhooks`, { token: adminToken, json: { url: receiverUrl, events: ['form.deleted'] } }), 400, 'validation_failed');
      expectError(await api.request('POST', `/v1/forms/${randomUUID()}/webhooks`, { token: adminToken, json: { url: receiverUrl, events: ['submission.created'] } }), 404, 'not_found');
    });
  });

  describe('hostile definitions', () => {
    const create = (dataSchema: unknown) => api.request('POST', '/v1/forms', { token: adminToken, json: { name: 'Hostile', dataSchema } });

    it('refuses a remote $ref and unknown keywords at their pointers', async () => {
      const remote = await create({ type: 'object', properties: { a: { $ref: 'https://attacker.example/schema.json' } } });
      expectError(remote, 400, 'validation_failed');
      expect(problems(remote).map((problem) => problem.pointer)).toEqual(['/dataSchema/properties/a/$ref']);
      const unknown = await create({ type: 'object', properties: { a: { type: 'string', maxlength: 3 } }, widget: 'x' });
      expectError(unknown, 400, 'validation_failed');
      expect(problems(unknown).map((problem) => problem.pointer).sort()).toEqual(['/dataSchema/properties/a/maxlength', '/dataSchema/widget']);
    });

    it('refuses a 10 MB schema at the gateway (413) and one over 256 KiB in the module (400 with a pointer)', async () => {
      const huge = JSON.stringify({ name: 'Huge', dataSchema: { type: 'object', description: 'x'.repeat(10 * 1024 * 1024) } });
      expectError(await postOversized('/v1/forms', adminToken, huge), 413, 'payload_too_large');
      const big = await create({ type: 'object', description: 'x'.repeat(300 * 1024) });
      expectError(big, 400, 'validation_failed');
      expect(problems(big)).toEqual([{ pointer: '/dataSchema', message: expect.stringMatching(/more than 262144/) as unknown as string }]);
    });

    it('refuses 10,000-deep nesting with validation_failed and the pointer where it goes too deep', async () => {
      const deep = `{"name":"Deep","dataSchema":${'{"type":"object","properties":{"a":'.repeat(10_000)}{}${'}}'.repeat(10_000)}}`;
      const response = await api.request<{ details: { pointer?: string }[] }>('POST', '/v1/forms', { token: adminToken, rawBody: deep });
      expectError(response, 400, 'validation_failed');
      expect(response.body.details[0]?.pointer).toMatch(/^\/dataSchema(\/properties\/a)+$/);
    });

    it('runs a catastrophic pattern in bounded time: the hostile input is refused, the platform keeps answering', async () => {
      const { token } = await member();
      const form = await publishedForm({ dataSchema: { type: 'object', properties: { code: { type: 'string', pattern: '^(a+)+$' } } } });
      const refused = await api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { code: `${'a'.repeat(50_000)}!` } } });
      expectError(refused, 400, 'validation_failed');
      expect(problems(refused)).toEqual([{ pointer: '/data/code', message: 'must match pattern "^(a+)+$"' }]);
      await expect(api.request('POST', `/v1/forms/${form.id}/submissions`, { token, json: { data: { code: 'aaaa' } } })).resolves.toMatchObject({ status: 201 });
      const backreference = await create({ type: 'object', properties: { code: { type: 'string', pattern: '^(a)\\1$' } } });
      expectError(backreference, 400, 'validation_failed');
      expect(problems(backreference).map((problem) => problem.pointer)).toEqual(['/dataSchema/properties/code/pattern']);
    });
  });
});

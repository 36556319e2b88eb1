import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { ApiClient, type ApiResponse } from '../harness/http-client.js';
import { ADMIN, type PlatformUnderTest, shapeUnderTest } from '../harness/platform.js';
import { rawExchange } from '../harness/raw-http.js';
import { startSession } from '../harness/session.js';
import { describeIn, itIn, PLATFORM_CLOSE_MS, PLATFORM_STARTUP_MS } from '../harness/shapes.js';

// Input and transport attacks against the built platform, in the shape NP_E2E_SHAPE names. The
// platform runs without NP_ISSUER (the issuer comes from the public URL), with CORS for one
// origin and a short request timeout, so a stalled client is cut off quickly.

const shape = shapeUnderTest();
const ORIGIN = 'https://app.example.com';
let platform: PlatformUnderTest;
let api: ApiClient;
let adminToken: string;

beforeAll(async () => ({ platform, api, adminToken } = await startSession(shape, { env: { NP_ISSUER: '', NP_CORS_ORIGINS: ORIGIN, NP_HTTP_REQUEST_TIMEOUT_MS: '1500' } })), PLATFORM_STARTUP_MS);
afterAll(() => platform?.close(), PLATFORM_CLOSE_MS);

function expectError(response: ApiResponse, status: number, code: string): Record<string, unknown> {
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  expect(typeof response.body.message).toBe('string');
  expect(response.body.requestId).toBe(response.headers.get('x-request-id'));
  return response.body;
}

function fieldsOf(body: Record<string, unknown>): string[] {
  return (body.details as { path: string }[]).map((issue) => issue.path);
}


describe(`HTTP hardening end to end (${shape})`, () => {
  describe('text no service can store', () => {
    it('refuses a NUL in the search query with 400 naming query.q', async () => {
      const response = await api.request('GET', '/v1/users?q=adm%00in', { token: adminToken });
      expect(fieldsOf(expectError(response, 400, 'validation_failed'))).toEqual(['query.q']);
    });

    it('refuses a NUL or a lone surrogate in a body string, and nothing is written', async () => {
      const email = `nul-${randomUUID().slice(0, 8)}@e2e.test`;
      const nul = await api.request('POST', '/v1/users', { token: adminToken, rawBody: `{"email":"${email}","displayName":"a\\u0000b","password":"a-good-password"}` });
      expect(fieldsOf(expectError(nul, 400, 'validation_failed'))).toEqual(['body.displayName']);
      const surrogate = await api.request('POST', '/v1/users', { token: adminToken, rawBody: `{"email":"${email}","displayName":"\\ud800","password":"a-good-password"}` });
      expect(fieldsOf(expectError(surrogate, 400, 'validation_failed'))).toEqual(['body.displayName']);
      const search = await api.request<{ items: unknown[] }>('GET', `/v1/users?q=${encodeURIComponent(email)}`, { token: adminToken });
      expect(search.body.items).toEqual([]);
    });

    it('refuses unsafe text in an update and in a path parameter', async () => {
      const me = decodeJwt(adminToken).sub!;
      const update = await api.request('PATCH', `/v1/users/${me}`, { token: adminToken, rawBody: '{"displayName":"x\\udc00"}' });
      expect(fieldsOf(expectError(update, 400, 'validation_failed'))).toEqual(['body.displayName']);
      const param = await api.request('GET', '/v1/users/%00', { token: adminToken });
      expect(fieldsOf(expectError(param, 400, 'validation_failed'))).toEqual(['params.id']);
    });

    it('still stores ordinary non-ASCII text', async () => {
      const response = await api.request<{ displayName: string }>('POST', '/v1/users', {
        token: adminToken,
        json: { email: `utf-${randomUUID().slice(0, 8)}@e2e.test`, displayName: 'Zoë 😀 名前', password: 'a-good-password' },
      });
      expect(response.status).toBe(201);
      expect(response.body.displayName).toBe('Zoë 😀 名前');
    });
  });

  describe('errors the HTTP server raises itself', () => {
    it('answers a path parameter over the length limit with 414 uri_too_long', async () => {
      const response = await api.request('GET', `/v1/users/${'a'.repeat(150)}`, { token: adminToken, headers: { 'x-request-id': 'e2e-long-param' } });
      expect(expectError(response, 414, 'uri_too_long').requestId).toBe('e2e-long-param');
    });

    it('answers /docs/assets//x with 404 and /docs/assets/x%00 with 400', async () => {
      expectError(await api.request('GET', '/docs/assets//x'), 404, 'route_not_found');
      expect(fieldsOf(expectError(await api.request('GET', '/docs/assets/x%00'), 400, 'validation_failed'))).toEqual(['params.*']);
    });

    it('answers an unrouted method with 404', async () => {
      expectError(await api.request('PUT', '/v1/users', { token: adminToken }), 404, 'route_not_found');
    });

    // In the cluster the ingress controller parses each request first: it answers a malformed URL or
    // request line with its own 400 and holds a slow client by its own timeouts.
    itIn('embedded', 'distributed')('answers a malformed percent-encoding with 400', async () => {
      expectError(await api.request('GET', '/v1/users/%zz', { token: adminToken }), 400, 'validation_failed');
    });

    itIn('embedded', 'distributed')('answers malformed HTTP in the contract on the raw connection', async () => {
      const response = await rawExchange(platform.url, 'FOO /v1/users HTTP/1.1\r\nhost: x\r\n\r\n');
      expect(response).toMatchObject({ status: 400, body: { code: 'validation_failed', message: expect.any(String) } });
      expect(response.headers['x-request-id']).toBe(response.body.requestId);
    });

    itIn('embedded', 'distributed')('cuts off a client whose body never finishes with 408 request_timeout', async () => {
      const response = await rawExchange(
        platform.url,
        'POST /v1/auth/login HTTP/1.1\r\nhost: x\r\nx-request-id: e2e-slow-body\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{"email":"admin',
      );
      expect(response).toEqual({
        status: 408,
        headers: expect.objectContaining({ 'x-request-id': 'e2e-slow-body', 'content-type': 'application/json; charset=utf-8', connection: 'close' }),
        body: { code: 'request_timeout', message: expect.any(String), requestId: 'e2e-slow-body' },
      });
    });
  });

  describe('ops endpoints', () => {
    it('does not serve /metrics on the API port, and says only ready on /readyz', async () => {
      expectError(await api.request('GET', '/metrics'), 404, 'route_not_found');
      const ready = await api.request('GET', '/readyz');
      expect({ status: ready.status, body: ready.body }).toEqual({ status: 200, body: { status: 'ready' } });
    });

    it('serves /metrics and the detailed readiness on the ops port', async () => {
      const metrics = await fetch(`${platform.opsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('http_request_duration_seconds');
      const ready = (await (await fetch(`${platform.opsUrl}/readyz`)).json()) as { status: string; checks: Record<string, string> };
      expect(ready).toMatchObject({ status: 'ready', checks: { bus: 'up' } });
    });
  });

  describe('CORS and security headers', () => {
    it('allows a preflight for every method the routes declare and for the headers of tus and ranged downloads', async () => {
      const cases = [
        { path: '/v1/backoffice/settings', method: 'PUT', headers: 'authorization,content-type,if-match' },
        { path: `/v1/files/uploads/${randomUUID()}`, method: 'PATCH', headers: 'authorization,tus-resumable,upload-offset,content-type' },
        { path: `/v1/files/${randomUUID()}/content`, method: 'GET', headers: 'authorization,range,if-none-match' },
      ];
      for (const { path, method, headers } of cases) {
        const preflight = await fetch(`${platform.url}${path}`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': headers } });
        expect({ path, status: preflight.status, origin: preflight.headers.get('access-control-allow-origin') }).toEqual({ path, status: 204, origin: ORIGIN });
        expect(preflight.headers.get('access-control-allow-methods')?.split(',').map((entry) => entry.trim())).toContain(method);
        const allowed = preflight.headers.get('access-control-allow-headers')?.split(',').map((entry) => entry.trim()) ?? [];
        expect(headers.split(',').filter((header) => !allowed.includes(header))).toEqual([]);
      }
    });

    it('allows a preflight for PATCH and DELETE with the API\'s headers, without credentials', async () => {
      for (const method of ['PATCH', 'DELETE']) {
        const preflight = await fetch(`${platform.url}/v1/users/${randomUUID()}`, {
          method: 'OPTIONS',
          headers: { origin: ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type,x-request-id' },
        });
        expect(preflight.status).toBe(204);
        expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
        expect(preflight.headers.get('access-control-allow-methods')).toContain(method);
        expect(preflight.headers.get('access-control-allow-headers')?.split(',').map((header) => header.trim())).toEqual(expect.arrayContaining(['authorization', 'content-type', 'x-request-id']));
        expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
      }
      const actual = await api.request('GET', '/v1/users', { token: adminToken, headers: { origin: ORIGIN } });
      expect(actual.headers.get('access-control-expose-headers')?.split(',').map((header) => header.trim())).toEqual(expect.arrayContaining(['x-request-id', 'retry-after', 'etag', 'upload-offset', 'content-range']));
    });

    it('sends security headers and no-store on token responses', async () => {
      const login = await api.request('POST', '/v1/auth/login', { json: ADMIN });
      expect(login.status).toBe(200);
      expect(Object.fromEntries(['cache-control', 'x-content-type-options', 'x-frame-options', 'referrer-policy', 'content-security-policy'].map((name) => [name, login.headers.get(name)]))).toEqual({
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'content-security-policy': "default-src 'none';frame-ancestors 'none'",
      });
      const refreshed = await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: login.body.refresh_token } });
      expect(refreshed.status).toBe(200);
      expect(refreshed.headers.get('cache-control')).toBe('no-store');
    });

    it('serves the Swagger UI with a policy that admits its own assets', async () => {
      const page = await fetch(`${platform.url}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      for (const asset of ['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/init.js', '/docs/openapi.json']) {
        expect({ asset, status: (await fetch(`${platform.url}${asset}`)).status }).toEqual({ asset, status: 200 });
      }
    });
  });

  // The platform's own issuer; in the cluster the tenant's realm issues tokens (keycloak-identity.spec.ts).
  describeIn('embedded', 'distributed')('issuer', () => {
    it('names the public URL as issuer in discovery and tokens, and accepts those tokens', async () => {
      const publicUrl = `http://localhost:${new URL(platform.url).port}`;
      const discovery = await api.request<{ issuer: string; jwks_uri: string }>('GET', '/.well-known/openid-configuration');
      expect(discovery.body).toMatchObject({ issuer: publicUrl, jwks_uri: `${publicUrl}/.well-known/jwks.json` });
      const { access_token: accessToken } = await api.login(ADMIN.email, ADMIN.password);
      expect(decodeJwt(accessToken).iss).toBe(publicUrl);
      expect((await api.request('GET', '/v1/auth/me', { token: accessToken })).status).toBe(200);
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { decodeJwt, generateKeyPair, SignJWT, decodeProtectedHeader } from 'jose';
import { ApiClient } from '../harness/http-client.js';
import { ADMIN, type PlatformUnderTest, REFRESH_GRACE_SECONDS, shapeUnderTest } from '../harness/platform.js';
import { platformRoles, signWithPlatformKey } from './tokens.js';
import { startSession } from '../harness/session.js';
import { describeIn, itIn, PLATFORM_CLOSE_MS, PLATFORM_STARTUP_MS } from '../harness/shapes.js';

const shape = shapeUnderTest();
let platform: PlatformUnderTest;
let api: ApiClient;
let adminToken: string;

beforeAll(async () => ({ platform, api, adminToken } = await startSession(shape)), PLATFORM_STARTUP_MS);
afterAll(() => platform?.close(), PLATFORM_CLOSE_MS);

function email(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}@e2e.test`;
}

async function createUser(fields: { roles?: string[]; password?: string; displayName?: string } = {}) {
  const address = email('user');
  const response = await api.request<{ id: string; email: string }>('POST', '/v1/users', {
    token: adminToken,
    json: { email: address, displayName: fields.displayName ?? 'E2E User', password: fields.password ?? 'a-good-password', ...(fields.roles ? { roles: fields.roles } : {}) },
  });
  expect(response.status).toBe(201);
  return { ...response.body, password: fields.password ?? 'a-good-password' };
}

function expectError(response: { status: number; body: unknown; headers: Headers }, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { code?: string }).code }).toEqual({ status, code });
  const body = response.body as Record<string, unknown>;
  expect(typeof body.message).toBe('string');
  expect(body.requestId).toBe(response.headers.get('x-request-id'));
}

describe(`NP Platform end to end (${shape})`, () => {
  describe('operations', () => {
    it('answers /healthz, /readyz, /metrics and the OpenAPI document', async () => {
      expect((await api.request('GET', '/healthz')).status).toBe(200);
      expect((await api.request('GET', '/readyz')).status).toBe(200);
      const metrics = await fetch(`${platform.opsUrl}/metrics`);
      expect(await metrics.text()).toContain('http_request_duration_seconds');
      const openapi = await api.request<{ openapi: string; paths: Record<string, unknown> }>('GET', '/docs/openapi.json');
      expect(openapi.body.openapi).toBe('3.1.0');
      expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/v1/auth/login', '/v1/users', '/v1/users/{id}']));
      expect((await fetch(`${platform.url}/docs`)).status).toBe(200);
    });

    it('carries the caller\'s request id and answers unknown routes with route_not_found', async () => {
      const response = await api.request('GET', '/v1/nothing-here', { headers: { 'x-request-id': 'e2e-trace-1' } });
      expectError(response, 404, 'route_not_found');
      expect(response.headers.get('x-request-id')).toBe('e2e-trace-1');
    });

    it('publishes OIDC discovery and a JWKS that verifies issued tokens', async () => {
      const discovery = await api.request<{ issuer: string; jwks_uri: string }>('GET', '/.well-known/openid-configuration');
      expect(discovery.body.issuer).toBe(platform.identity.issuer);
      const jwks = await api.request<{ keys: { kid: string }[] }>('GET', '/.well-known/jwks.json');
      expect(jwks.body.keys.map((key) => key.kid)).toContain(decodeProtectedHeader(adminToken).kid);
    });
  });

  describe('login, refresh, logout, me', () => {
    it('logs in with the contract\'s token pair', async () => {
      const response = await api.request('POST', '/v1/auth/login', { json: ADMIN });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number) });
      const claims = decodeJwt(response.body.access_token as string);
      expect(claims).toMatchObject({ iss: platform.identity.issuer, tenant: platform.identity.tenant });
      expect([claims.aud].flat()).toContain(platform.identity.audience);
      expect(platformRoles(claims)).toEqual(['admin']);
    });

    it('refuses a wrong password and an unknown email alike', async () => {
      expectError(await api.request('POST', '/v1/auth/login', { json: { email: ADMIN.email, password: 'wrong-password' } }), 401, 'invalid_credentials');
      expectError(await api.request('POST', '/v1/auth/login', { json: { email: email('nobody'), password: 'whatever1' } }), 401, 'invalid_credentials');
    });

    it('throttles repeated failed logins with 429 and Retry-After', async () => {
      const user = await createUser();
      let last = await api.request('POST', '/v1/auth/login', { json: { email: user.email, password: 'wrong-password' } });
      for (let attempt = 0; attempt < 6 && last.status === 401; attempt += 1) {
        last = await api.request('POST', '/v1/auth/login', { json: { email: user.email, password: 'wrong-password' } });
      }
      expectError(last, 429, 'login_throttled');
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      expectError(await api.request('POST', '/v1/auth/login', { json: { email: user.email, password: user.password } }), 429, 'login_throttled');
    });

    // The platform's own issuer; a realm rotates refresh tokens by its own policy (keycloak-identity.spec.ts).
    itIn('embedded', 'distributed')('rotates refresh tokens and revokes the family when a used one comes back after the grace window', async () => {
      const first = await api.login(ADMIN.email, ADMIN.password);
      const second = await api.request<{ refresh_token: string; access_token: string }>('POST', '/v1/auth/refresh', { json: { refresh_token: first.refresh_token } });
      expect(second.status).toBe(200);
      expect(second.body.refresh_token).not.toBe(first.refresh_token);
      await new Promise((resolve) => setTimeout(resolve, REFRESH_GRACE_SECONDS * 1000 + 200));
      expectError(await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: first.refresh_token } }), 401, 'refresh_token_reused');
      expectError(await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: second.body.refresh_token } }), 401, 'refresh_token_invalid');
    });

    it('logs out: the refresh token stops working', async () => {
      const pair = await api.login(ADMIN.email, ADMIN.password);
      expect((await api.request('POST', '/v1/auth/logout', { json: { refresh_token: pair.refresh_token } })).status).toBe(200);
      expectError(await api.request('POST', '/v1/auth/refresh', { json: { refresh_token: pair.refresh_token } }), 401, 'refresh_token_invalid');
    });

    it('tells the caller who they are', async () => {
      const me = await api.request('GET', '/v1/auth/me', { token: adminToken });
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ id: expect.any(String), email: ADMIN.email, displayName: expect.any(String), roles: ['admin'] });
    });
  });

  describe('bad input', () => {
    it('answers malformed JSON with invalid_json', async () => {
      expectError(await api.request('POST', '/v1/auth/login', { rawBody: '{"email": "a@b.c",' }), 400, 'invalid_json');
      expectError(await api.request('POST', '/v1/users', { token: adminToken, rawBody: '{not json' }), 400, 'invalid_json');
    });

    it('answers wrong types, missing and unknown fields with validation_failed naming the fields', async () => {
      const wrongTypes = await api.request<{ details: { path: string }[] }>('POST', '/v1/users', { token: adminToken, json: { email: 42, displayName: ['x'] } });
      expectError(wrongTypes, 400, 'validation_failed');
      expect(wrongTypes.body.details.map((detail) => detail.path)).toEqual(expect.arrayContaining(['body.email', 'body.displayName']));
      expectError(await api.request('POST', '/v1/users', { token: adminToken, json: { email: email('x'), displayName: 'X', isAdmin: true } }), 400, 'validation_failed');
      expectError(await api.request('POST', '/v1/auth/login', { json: { email: 'not-an-email', password: 'x' } }), 400, 'validation_failed');
      expectError(await api.request('GET', '/v1/users/not-a-uuid', { token: adminToken }), 400, 'validation_failed');
      expectError(await api.request('GET', '/v1/users?limit=5000', { token: adminToken }), 400, 'validation_failed');
      expectError(await api.request('GET', '/v1/users?cursor=garbage', { token: adminToken }), 400, 'validation_failed');
    });

    it('answers an oversize body with payload_too_large', async () => {
      const huge = JSON.stringify({ email: email('big'), displayName: 'x'.repeat(platform.bodyLimitBytes + 1) });
      expectError(await api.request('POST', '/v1/users', { token: adminToken, rawBody: huge }), 413, 'payload_too_large');
    });

    it('answers a body of an unsupported media type with unsupported_media_type', async () => {
      expectError(await api.request('POST', '/v1/auth/login', { rawBody: '<login/>', headers: { 'content-type': 'application/xml' } }), 415, 'unsupported_media_type');
    });
  });

  describe('tokens', () => {
    it('refuses a missing token and a malformed header', async () => {
      expectError(await api.request('GET', '/v1/users'), 401, 'token_missing');
      expectError(await api.request('GET', '/v1/users', { headers: { authorization: 'Basic abc' } }), 401, 'token_invalid');
      expectError(await api.request('GET', '/v1/users', { token: 'garbage' }), 401, 'token_invalid');
    });

    it('refuses a token forged with another key under the real kid', async () => {
      const { privateKey } = await generateKeyPair('ES256');
      const claims = decodeJwt(adminToken);
      const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', kid: decodeProtectedHeader(adminToken).kid! }).sign(privateKey);
      expectError(await api.request('GET', '/v1/users', { token: forged }), 401, 'token_invalid');
    });

    it('refuses a tampered payload', async () => {
      const [header, , signature] = adminToken.split('.');
      const payload = Buffer.from(JSON.stringify({ ...decodeJwt(adminToken), roles: ['admin', 'manager'] })).toString('base64url');
      expectError(await api.request('GET', '/v1/users', { token: `${header}.${payload}.${signature}` }), 401, 'token_invalid');
    });

    // Signing an expired token takes the issuer's key: a realm's stays in Keycloak.
    itIn('embedded', 'distributed')('refuses an expired token with token_expired', async () => {
      const claims = { ...decodeJwt(adminToken) };
      delete claims.exp;
      delete claims.iat;
      const expired = await signWithPlatformKey(platform.databaseUrl, claims, Math.floor(Date.now() / 1000) - 120);
      expectError(await api.request('GET', '/v1/users', { token: expired }), 401, 'token_expired');
    });

    // The platform's issuer signs every tenant's tokens with one key, so the claim decides; each
    // realm signs with its own, so another tenant's token fails the signature.
    it('refuses another tenant\'s token', async () => {
      const claims = { ...decodeJwt(adminToken), tenant: 'another-tenant' };
      delete claims.exp;
      delete claims.iat;
      const foreign = await signWithPlatformKey(platform.databaseUrl, claims, Math.floor(Date.now() / 1000) + 600);
      expectError(await api.request('GET', '/v1/users', { token: foreign }), 401, shape === 'cluster' ? 'token_invalid' : 'tenant_mismatch');
    });
  });

  describe('users', () => {
    it('creates, reads, updates, lists and deletes a user', async () => {
      const address = email('crud');
      const created = await api.request<Record<string, unknown>>('POST', '/v1/users', { token: adminToken, json: { email: address.toUpperCase(), displayName: 'Crud Person', password: 'a-good-password' } });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), email: address, displayName: 'Crud Person', roles: ['member'], createdAt: expect.any(String), updatedAt: expect.any(String) });
      expect(JSON.stringify(created.body)).not.toMatch(/password|hash/i);
      const id = created.body.id as string;

      expectError(await api.request('POST', '/v1/users', { token: adminToken, json: { email: address, displayName: 'Again' } }), 409, 'email_taken');

      const read = await api.request('GET', `/v1/users/${id}`, { token: adminToken });
      expect(read.body).toEqual(created.body);

      const updated = await api.request('PATCH', `/v1/users/${id}`, { token: adminToken, json: { displayName: 'Renamed Person' } });
      expect(updated.status).toBe(200);
      expect(updated.body.displayName).toBe('Renamed Person');

      const found = await api.request<{ items: { id: string }[] }>('GET', `/v1/users?q=${encodeURIComponent('renamed person')}`, { token: adminToken });
      expect(found.body.items.map((item) => item.id)).toContain(id);

      const pair = await api.login(address, 'a-good-password');
      expect(decodeJwt(pair.access_token).sub).toBe(id);

      expect((await api.request('DELETE', `/v1/users/${id}`, { token: adminToken })).status).toBe(204);
      expectError(await api.request('GET', `/v1/users/${id}`, { token: adminToken }), 404, 'not_found');
      expectError(await api.request('POST', '/v1/auth/login', { json: { email: address, password: 'a-good-password' } }), 401, 'invalid_credentials');
    });

    it('pages through the list with a cursor, without repeats', async () => {
      const marker = `Pager ${randomUUID().slice(0, 6)}`;
      for (let index = 0; index < 5; index += 1) await createUser({ displayName: `${marker} ${index}` });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/v1/users?limit=2&q=${encodeURIComponent(marker)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await api.request<{ items: { id: string }[]; nextCursor: string | null }>('GET', query, { token: adminToken });
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((item) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
    });

    it('answers not_found for an unknown id', async () => {
      expectError(await api.request('GET', `/v1/users/${randomUUID()}`, { token: adminToken }), 404, 'not_found');
      expectError(await api.request('PATCH', `/v1/users/${randomUUID()}`, { token: adminToken, json: { displayName: 'x' } }), 404, 'not_found');
      expectError(await api.request('DELETE', `/v1/users/${randomUUID()}`, { token: adminToken }), 404, 'not_found');
    });
  });

  describe('roles and permissions', () => {
    it('lets a member see and edit only their own profile, and not their roles', async () => {
      const member = await createUser();
      const other = await createUser();
      const token = (await api.login(member.email, member.password)).access_token;
      expectError(await api.request('GET', '/v1/users', { token }), 403, 'forbidden');
      expectError(await api.request('GET', `/v1/users/${other.id}`, { token }), 403, 'forbidden');
      expectError(await api.request('POST', '/v1/users', { token, json: { email: email('m'), displayName: 'M' } }), 403, 'forbidden');
      expect((await api.request('GET', `/v1/users/${member.id}`, { token })).status).toBe(200);
      expect((await api.request('PATCH', `/v1/users/${member.id}`, { token, json: { displayName: 'Me Myself' } })).status).toBe(200);
      expectError(await api.request('PATCH', `/v1/users/${member.id}`, { token, json: { roles: ['admin'] } }), 403, 'forbidden');
      expectError(await api.request('DELETE', `/v1/users/${member.id}`, { token }), 403, 'forbidden');
    });

    it('lets a manager create and list users but not delete them or assign roles', async () => {
      const manager = await createUser({ roles: ['manager'] });
      const token = (await api.login(manager.email, manager.password)).access_token;
      const created = await api.request<{ id: string }>('POST', '/v1/users', { token, json: { email: email('by-manager'), displayName: 'By Manager' } });
      expect(created.status).toBe(201);
      expect((await api.request('GET', '/v1/users', { token })).status).toBe(200);
      expectError(await api.request('DELETE', `/v1/users/${created.body.id}`, { token }), 403, 'forbidden');
      expectError(await api.request('POST', '/v1/users', { token, json: { email: email('x'), displayName: 'X', roles: ['admin'] } }), 403, 'forbidden');
      expectError(await api.request('PATCH', `/v1/users/${created.body.id}`, { token, json: { roles: ['manager'] } }), 403, 'forbidden');
    });

    it('lets an admin assign roles, which the next login carries', async () => {
      const user = await createUser();
      const promoted = await api.request('PATCH', `/v1/users/${user.id}`, { token: adminToken, json: { roles: ['manager'] } });
      expect(promoted.status).toBe(200);
      expect(promoted.body.roles).toEqual(['manager']);
      expect(platformRoles(decodeJwt((await api.login(user.email, user.password)).access_token))).toEqual(['manager']);
    });
  });

  // A module process stopped and the broker restarted under the platform: one process embedded has neither.
  describeIn('distributed', 'cluster')('failures of the distributed and cluster shapes', () => {
    it('answers 503 or 504 while the users process is down, and recovers', async () => {
      const user = await createUser();
      await platform.stopModule('users');
      const during = await api.request('GET', `/v1/users/${user.id}`, { token: adminToken });
      expect([503, 504]).toContain(during.status);
      expect(['module_unavailable', 'module_timeout']).toContain((during.body as { code: string }).code);
      await platform.startModule('users');
      await waitForStatus(`/v1/users/${user.id}`, 200);
    }, 60_000);

    it('loses no acknowledged write across a RabbitMQ restart in the middle of a stream of writes', async () => {
      const acknowledged: string[] = [];
      const failures: { status: number; code: string }[] = [];
      let stop = false;
      const writer = (async () => {
        for (let index = 0; !stop && index < 2000; index += 1) {
          const response = await api.request<{ id: string; code: string }>('POST', '/v1/users', { token: adminToken, json: { email: email(`stream${index}`), displayName: `Stream ${index}` } });
          if (response.status === 201) acknowledged.push(response.body.id);
          else failures.push({ status: response.status, code: response.body.code });
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await platform.restartBroker();
      await new Promise((resolve) => setTimeout(resolve, 4000));
      stop = true;
      await writer;

      for (const failure of failures) {
        expect([503, 504]).toContain(failure.status);
        expect(['bus_unavailable', 'module_unavailable', 'module_timeout']).toContain(failure.code);
      }
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const id of acknowledged) {
        expect((await api.request('GET', `/v1/users/${id}`, { token: adminToken })).status).toBe(200);
      }
      let after = await api.request('POST', '/v1/users', { token: adminToken, json: { email: email('after'), displayName: 'After Restart' } });
      for (let tries = 0; after.status !== 201 && tries < 40; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        after = await api.request('POST', '/v1/users', { token: adminToken, json: { email: email('after'), displayName: 'After Restart' } });
      }
      expect(after.status).toBe(201);
    }, 90_000);
  });
});

async function waitForStatus(path: string, status: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await api.request('GET', path, { token: adminToken })).status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${path} never answered ${status}`);
}

// Login throttling and token time checks over HTTP, in the shape NP_E2E_SHAPE names. The platform
// runs behind a trusted proxy (NP_TRUST_PROXY=true) so each request can come from an address of
// its own through X-Forwarded-For; a second platform with the default (no proxy trusted) shows a
// forged X-Forwarded-For changes nothing. Default limits: 5 failures per account from one
// address, 50 per address, 100 per account.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { type ApiResponse, ApiClient } from '../harness/http-client.js';
import { ADMIN, type PlatformUnderTest, shapeUnderTest, startPlatform } from '../harness/platform.js';
import { signWithPlatformKey } from './tokens.js';
import { startSession } from '../harness/session.js';
import { describeIn, PLATFORM_CLOSE_MS, PLATFORM_STARTUP_MS } from '../harness/shapes.js';

const shape = shapeUnderTest();

function email(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}@e2e.test`;
}

function expectError(response: ApiResponse<unknown>, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { code?: string }).code }).toEqual({ status, code });
  const body = response.body as Record<string, unknown>;
  expect(typeof body.message).toBe('string');
  expect(body.requestId).toBe(response.headers.get('x-request-id'));
}

/** A throttled answer tells the client how long to wait, in the header and in the body. */
function expectThrottled(response: ApiResponse<unknown>): void {
  expectError(response, 429, 'login_throttled');
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(900);
  expect((response.body as { details?: { retryAfterSeconds?: number } }).details?.retryAfterSeconds).toBe(retryAfter);
}

function loginFrom(api: ApiClient, address: string, credentials: { email: string; password: string }): Promise<ApiResponse<unknown>> {
  return api.request('POST', '/v1/auth/login', { json: credentials, headers: { 'x-forwarded-for': address } });
}

async function createUser(api: ApiClient, adminToken: string): Promise<{ email: string; password: string }> {
  const user = { email: email('user'), password: 'a-good-password' };
  const response = await api.request('POST', '/v1/users', { token: adminToken, json: { email: user.email, displayName: 'Throttled User', password: user.password } });
  expect(response.status).toBe(201);
  return user;
}

// Each request claims an address of its own through X-Forwarded-For. In the cluster the trusted proxy
// is the ingress controller, which replaces a client's X-Forwarded-For by the address it sees: a
// test process is one address there, and the next describe shows a forged header changes nothing.
describeIn('embedded', 'distributed')(`login throttling behind a trusted proxy (${shape})`, () => {
  let platform: PlatformUnderTest;
  let api: ApiClient;
  let adminToken: string;

  beforeAll(async () => ({ platform, api, adminToken } = await startSession(shape, { env: { NP_TRUST_PROXY: 'true' } })), PLATFORM_STARTUP_MS);
  afterAll(() => platform?.close(), PLATFORM_CLOSE_MS);

  it('checks only five of 20 parallel wrong passwords for one account; the rest answer 429 with Retry-After', async () => {
    const user = await createUser(api, adminToken);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => loginFrom(api, '203.0.113.10', { email: user.email, password: `wrong-password-${i}` })));
    expect(responses.filter((response) => response.status === 401)).toHaveLength(5);
    const throttled = responses.filter((response) => response.status !== 401);
    expect(throttled).toHaveLength(15);
    for (const response of throttled) expectThrottled(response);
    for (const response of responses.filter((r) => r.status === 401)) expectError(response, 401, 'invalid_credentials');
  });

  it('five wrong guesses at the admin from one address do not keep the admin out from another', async () => {
    for (let i = 0; i < 5; i += 1) expectError(await loginFrom(api, '203.0.113.66', { email: ADMIN.email, password: `guess-${i}` }), 401, 'invalid_credentials');
    expectThrottled(await loginFrom(api, '203.0.113.66', ADMIN));
    const fromElsewhere = await loginFrom(api, '198.51.100.7', ADMIN);
    expect(fromElsewhere.status).toBe(200);
    expect(decodeJwt((fromElsewhere.body as { access_token: string }).access_token).roles).toEqual(['admin']);
    // The pair stays throttled after the owner's success elsewhere.
    expectThrottled(await loginFrom(api, '203.0.113.66', ADMIN));
  });

  it('fifty wrong guesses at random emails from one address do not keep a user out from another', async () => {
    const user = await createUser(api, adminToken);
    for (let i = 0; i < 50; i += 1) expectError(await loginFrom(api, '203.0.113.99', { email: email('random'), password: 'guess-guess' }), 401, 'invalid_credentials');
    expectThrottled(await loginFrom(api, '203.0.113.99', user));
    expect((await loginFrom(api, '198.51.100.8', user)).status).toBe(200);
  });

  it('refuses a correctly signed token issued an hour in the future with token_invalid', async () => {
    const claims = { ...decodeJwt(adminToken) };
    delete claims.exp;
    delete claims.iat;
    const now = Math.floor(Date.now() / 1000);
    // signWithPlatformKey sets iat 600 s before exp: iat = now + 3600.
    const future = await signWithPlatformKey(platform.databaseUrl, claims, now + 3600 + 600);
    expect(decodeJwt(future).iat).toBe(now + 3600);
    expectError(await api.request('GET', '/v1/users', { token: future }), 401, 'token_invalid');
    expectError(await api.request('GET', '/v1/auth/me', { token: future }), 401, 'token_invalid');
    expect((await api.request('GET', '/v1/auth/me', { token: adminToken })).status).toBe(200);
  });
});

describe(`login throttling without a trusted proxy (${shape})`, () => {
  let platform: PlatformUnderTest;
  let api: ApiClient;

  beforeAll(async () => {
    platform = await startPlatform(shape);
    api = new ApiClient(platform.url);
  }, PLATFORM_STARTUP_MS);

  afterAll(async () => {
    await platform?.close();
  }, PLATFORM_CLOSE_MS);

  it('ignores X-Forwarded-For: a forged address does not escape the pair throttle', async () => {
    const adminToken = (await api.login(ADMIN.email, ADMIN.password)).access_token;
    const user = await createUser(api, adminToken);
    for (let i = 0; i < 5; i += 1) {
      expectError(await loginFrom(api, `203.0.113.${i + 1}`, { email: user.email, password: `wrong-password-${i}` }), 401, 'invalid_credentials');
    }
    expectThrottled(await loginFrom(api, '198.51.100.9', user));
  });
});

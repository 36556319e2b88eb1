import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';
import { registeredRoutes, route, type RouteDeclaration } from '@np/contracts';
import { userIdParamsSchema } from '@np/users/contracts';
import { InProcessTransport } from '@np/messaging';
import { createLogger, type ReadinessCheck } from '@np/observability';
import { createServiceDeps } from '@np/runtime';
import { type RunningGateway, startGateway } from './start-gateway.js';
import { gatewaySettingsSchema } from './settings.js';
import { rawExchange } from '../../../test/harness/raw-http.js';

// The gateway through its real pipeline (Fastify, guards, filters, validation) with the modules
// behind it played by in-process fakes: what only the gateway decides is tested here; the
// end-to-end suite covers the same routes with the real modules.

const USER_ID = '7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11';
let privateKey: CryptoKey;
let publicJwk: JWK;

async function token(roles: string[] = ['admin'], sub = USER_ID): Promise<string> {
  return new SignJWT({ tenant: 'acme', roles })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer('http://issuer.test')
    .setAudience('np-api')
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

/** Bus calls that reached the users module, to show that refused input never gets there. */
const usersCalls: string[] = [];

async function startWith(env: Record<string, string>, serveUsers: 'answer' | 'hang' | 'absent' = 'answer', checks: ReadinessCheck[] = [], routes?: readonly RouteDeclaration[]) {
  const settings = gatewaySettingsSchema.parse({
    PORT: '0',
    NP_TENANT: 'acme',
    NP_ISSUER: 'http://issuer.test',
    NP_RPC_TIMEOUT_MS: '300',
    ...env,
  });
  const transport = new InProcessTransport();
  await transport.start();
  await transport.serve('auth', (request) => Promise.resolve(fakeAuthReply(request.pattern)));
  if (serveUsers !== 'absent') {
    await transport.serve('users', (request) => {
      usersCalls.push(request.pattern);
      if (serveUsers === 'hang') return new Promise(() => undefined);
      if (request.pattern === 'users.delete') return Promise.resolve({ ok: true, body: { ok: true } });
      return Promise.resolve({ ok: true, body: { id: (request.body as { id: string }).id, email: 'a@b.co', displayName: 'A', roles: ['member'], createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() } });
    });
  }
  const deps = createServiceDeps('gateway', settings, transport, { logger: createLogger({ service: 'gateway-spec', level: 'silent' }) });
  return startGateway({ deps, settings, checks, ...(routes ? { routes } : {}) });
}

function fakeAuthReply(pattern: string) {
  if (pattern === 'auth.jwks') return { ok: true as const, body: { keys: [publicJwk] } };
  if (pattern === 'auth.revocations.list') return { ok: true as const, body: { sessions: [], users: [] } };
  return { ok: false as const, error: { code: 'not_found' as const, message: 'no' } };
}

function get(gateway: RunningGateway, path: string, headers: Record<string, string> = {}) {
  return fetch(`${gateway.url}${path}`, { headers });
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
});

describe('gateway pipeline', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startWith({ NP_RATE_LIMIT_USER_PER_MINUTE: '3', NP_CORS_ORIGINS: 'https://app.example.com' });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('routes an authorised call to the module and echoes the request id', async () => {
    const response = await get(gateway, `/v1/users/${USER_ID}`, { authorization: `Bearer ${await token(['member'])}`, 'x-request-id': 'trace-7' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-7');
  });

  it('answers 429 with Retry-After once a user spends their budget', async () => {
    const bearer = `Bearer ${await token(['admin'], '0f2b7c1e-1d1a-4c47-8a64-8f3e8d1f2a90')}`;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let index = 0; index < 5; index += 1) {
      last = await get(gateway, `/v1/users/${USER_ID}`, { authorization: bearer });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(last?.status).toBe(429);
    expect(((await last?.json()) as { code: string }).code).toBe('rate_limited');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('allows the configured CORS origin only', async () => {
    const allowed = await fetch(`${gateway.url}/v1/auth/login`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const refused = await fetch(`${gateway.url}/v1/auth/login`, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a CORS preflight with the API\'s methods and headers, and no credentials unless configured', async () => {
    const preflight = await fetch(`${gateway.url}/v1/users/${USER_ID}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type, x-request-id' },
    });
    expect(preflight.status).toBe(204);
    // Those of every implemented module's declared routes (backoffice's settings are PUT) and, for
    // files, the headers of tus and of ranged downloads.
    expect(preflight.headers.get('access-control-allow-methods')?.split(',').map((method) => method.trim())).toEqual(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
    expect(preflight.headers.get('access-control-allow-headers')?.split(',').map((header) => header.trim())).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-request-id', 'tus-resumable', 'upload-offset', 'upload-length', 'upload-metadata', 'range', 'if-none-match']),
    );
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    const actual = await get(gateway, '/healthz', { origin: 'https://app.example.com' });
    expect(actual.headers.get('access-control-expose-headers')?.split(',').map((header) => header.trim())).toEqual(
      expect.arrayContaining(['x-request-id', 'retry-after', 'location', 'upload-offset', 'etag', 'content-range', 'content-disposition']),
    );
    expect(actual.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('gateway routes come from declarations', () => {
  // Declared here the way a module declares its routes in @np/contracts: no gateway code names it.
  const profileRoute = route({
    method: 'GET',
    path: '/v1/users/:id/profile',
    summary: 'A route only a declaration knows',
    policy: { permission: 'users:read' },
    params: userIdParamsSchema,
    pattern: 'users.get',
    toBus: ({ params }) => ({ id: params.id }),
    errors: ['not_found'],
  });
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startWith({}, 'answer', [], [...registeredRoutes(), profileRoute]);
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('serves a declared route through the whole pipeline: token, policy, params, bus call', async () => {
    usersCalls.length = 0;
    const served = await get(gateway, `/v1/users/${USER_ID}/profile`, { authorization: `Bearer ${await token(['manager'])}` });
    expect(served.status).toBe(200);
    expect(((await served.json()) as { id: string }).id).toBe(USER_ID);
    expect(usersCalls).toEqual(['users.get']);
    await expectContractError(await get(gateway, `/v1/users/${USER_ID}/profile`), 401, 'token_missing');
    await expectContractError(await get(gateway, `/v1/users/not-a-uuid/profile`, { authorization: `Bearer ${await token()}` }), 400, 'validation_failed');
    expect(usersCalls).toEqual(['users.get']);
  });

  it('documents the declared route in /docs/openapi.json', async () => {
    const document = (await (await get(gateway, '/docs/openapi.json')).json()) as { paths: Record<string, Record<string, { summary: string; operationId: string; security?: unknown; parameters: { name: string; in: string }[]; responses: Record<string, unknown> }>> };
    const operation = document.paths['/v1/users/{id}/profile']?.get;
    expect(operation).toMatchObject({ summary: 'A route only a declaration knows', operationId: 'users.get', security: [{ bearer: [] }], parameters: [{ name: 'id', in: 'path' }] });
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '404']);
    expect(document.paths['/v1/users/{id}']).toHaveProperty('delete.responses.204');
  });

  it('answers what Fastify raises while reading a declared route\'s body in the error contract', async () => {
    const post = (body: string, type = 'application/json') => fetch(`${gateway.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': type }, body });
    await expectContractError(await post('{"email":'), 400, 'invalid_json');
    await expectContractError(await post('<login/>', 'application/xml'), 415, 'unsupported_media_type');
  });

  it('answers a 204 route with no body', async () => {
    const response = await fetch(`${gateway.url}/v1/users/${USER_ID}`, { method: 'DELETE', headers: { authorization: `Bearer ${await token()}` } });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('checks the module gate of the module answering the route\'s pattern', async () => {
    const disabled = await startWith({ NP_MODULES: '' }, 'answer', [], [profileRoute]);
    try {
      await expectContractError(await get(disabled, `/v1/users/${USER_ID}/profile`, { authorization: `Bearer ${await token()}` }), 404, 'module_not_enabled');
    } finally {
      await disabled.close();
    }
  });
});

describe('gateway CORS with credentials configured', () => {
  it('allows credentials only for the configured origins', async () => {
    const gateway = await startWith({ NP_CORS_ORIGINS: 'https://app.example.com', NP_CORS_CREDENTIALS: 'true' });
    try {
      const preflight = await fetch(`${gateway.url}/v1/users`, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'DELETE' } });
      expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
      expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');
    } finally {
      await gateway.close();
    }
  });
});

describe('gateway per-address budget', () => {
  it('answers 429 with Retry-After past the per-IP limit, before any token check', async () => {
    const gateway = await startWith({ NP_RATE_LIMIT_IP_PER_MINUTE: '2' });
    try {
      const statuses = [];
      for (let index = 0; index < 3; index += 1) statuses.push((await get(gateway, '/v1/users')).status);
      expect(statuses).toEqual([401, 401, 429]);
      const limited = await get(gateway, '/v1/users');
      expect(limited.headers.get('retry-after')).not.toBeNull();
      expect((await get(gateway, '/healthz')).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});

describe('gateway module availability', () => {
  it('answers 404 module_not_enabled for a module the deployment did not enable', async () => {
    const gateway = await startWith({ NP_MODULES: '' });
    try {
      const response = await get(gateway, `/v1/users/${USER_ID}`, { authorization: `Bearer ${await token()}` });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { code: string }).code).toBe('module_not_enabled');
    } finally {
      await gateway.close();
    }
  });

  it('answers 504 module_timeout when the module does not answer in time', async () => {
    const gateway = await startWith({}, 'hang');
    try {
      const response = await get(gateway, `/v1/users/${USER_ID}`, { authorization: `Bearer ${await token()}` });
      expect(response.status).toBe(504);
      expect(((await response.json()) as { code: string }).code).toBe('module_timeout');
    } finally {
      await gateway.close();
    }
  });

  it('answers 503 module_unavailable at once when nothing serves the module', async () => {
    const gateway = await startWith({}, 'absent');
    try {
      const response = await get(gateway, `/v1/users/${USER_ID}`, { authorization: `Bearer ${await token()}` });
      expect(response.status).toBe(503);
      expect(((await response.json()) as { code: string }).code).toBe('module_unavailable');
      expect((await get(gateway, '/readyz')).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});


async function expectContractError(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  const body = (await response.json()) as Record<string, unknown>;
  expect({ status: response.status, code: body.code }).toEqual({ status, code });
  expect(typeof body.message).toBe('string');
  expect(body.requestId).toBe(response.headers.get('x-request-id'));
  return body;
}

describe('gateway input no service could store', () => {
  let gateway: RunningGateway;
  let bearer: string;
  beforeAll(async () => {
    gateway = await startWith({});
    bearer = `Bearer ${await token()}`;
  });
  afterAll(async () => {
    await gateway.close();
  });

  const json = (method: string, path: string, body: string) =>
    fetch(`${gateway.url}${path}`, { method, headers: { authorization: bearer, 'content-type': 'application/json' }, body });

  it('refuses a NUL in a body string with 400 naming the field, before the module is called', async () => {
    usersCalls.length = 0;
    const response = await json('POST', '/v1/users', '{"email":"nul@example.com","displayName":"a\\u0000b"}');
    const body = await expectContractError(response, 400, 'validation_failed');
    expect(body.details).toEqual([{ path: 'body.displayName', message: expect.any(String) }]);
    expect(usersCalls).toEqual([]);
  });

  it('refuses a lone surrogate in a body string, in nested values too', async () => {
    const response = await json('PATCH', `/v1/users/${USER_ID}`, '{"displayName":"\\ud800","roles":["member","\\udc00"]}');
    const body = await expectContractError(response, 400, 'validation_failed');
    expect((body.details as { path: string }[]).map((issue) => issue.path)).toEqual(['body.displayName', 'body.roles.1']);
  });

  it('refuses a NUL in a query value and in a path parameter', async () => {
    const query = await get(gateway, '/v1/users?q=a%00b', { authorization: bearer });
    expect((await expectContractError(query, 400, 'validation_failed')).details).toEqual([{ path: 'query.q', message: expect.any(String) }]);
    const params = await get(gateway, '/v1/users/a%00b', { authorization: bearer });
    expect((await expectContractError(params, 400, 'validation_failed')).details).toEqual([{ path: 'params.id', message: expect.any(String) }]);
  });

  it('refuses unsafe text on a public route without a token as well', async () => {
    const response = await fetch(`${gateway.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":"a@b.co","password":"\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000\\u0000"}' });
    expect((await expectContractError(response, 400, 'validation_failed')).details).toEqual([{ path: 'body.password', message: expect.any(String) }]);
  });

  it('still accepts ordinary non-ASCII text', async () => {
    const response = await json('PATCH', `/v1/users/${USER_ID}`, JSON.stringify({ displayName: 'Zoë 😀 名前' }));
    expect(response.status).toBe(200);
  });
});

describe('gateway errors the HTTP server raises itself', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startWith({});
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('answers a path parameter over the router\'s length limit with 414 uri_too_long', async () => {
    const response = await get(gateway, `/v1/users/${'a'.repeat(150)}`, { 'x-request-id': 'long-param-1' });
    const body = await expectContractError(response, 414, 'uri_too_long');
    expect(body.requestId).toBe('long-param-1');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a malformed percent-encoding with 400 validation_failed', async () => {
    await expectContractError(await get(gateway, '/v1/users/%zz'), 400, 'validation_failed');
    await expectContractError(await get(gateway, '/v1/users/%E0%A4%A'), 400, 'validation_failed');
  });

  it('answers docs asset paths that name no file with 404, and a NUL with 400', async () => {
    for (const path of ['/docs/assets//x', '/docs/assets/..%2Fpackage.json', '/docs/assets/%2e%2e/package.json', '/docs/assets/nope.js']) {
      await expectContractError(await get(gateway, path), 404, 'route_not_found');
    }
    // fetch() would resolve the dot segments itself.
    const dotted = await rawExchange(gateway.url, 'GET /docs/assets/a/../swagger-ui.css HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    expect(dotted).toMatchObject({ status: 404, body: { code: 'route_not_found' } });
    const nul = await expectContractError(await get(gateway, '/docs/assets/x%00'), 400, 'validation_failed');
    expect(nul.details).toEqual([{ path: 'params.*', message: expect.any(String) }]);
    expect((await get(gateway, '/docs/assets/swagger-ui.css')).status).toBe(200);
  });

  it('answers unknown routes and methods Fastify does not route with 404 route_not_found', async () => {
    await expectContractError(await fetch(`${gateway.url}/v1/users`, { method: 'PUT' }), 404, 'route_not_found');
    await expectContractError(await get(gateway, '/nothing'), 404, 'route_not_found');
  });

  it('answers malformed HTTP and oversized headers in the contract, on the raw connection', async () => {
    const badMethod = await rawExchange(gateway.url, 'FOO /v1/users HTTP/1.1\r\nhost: x\r\n\r\n');
    expect(badMethod).toMatchObject({ status: 400, body: { code: 'validation_failed', requestId: expect.any(String) } });
    expect(badMethod.headers['x-request-id']).toBe(badMethod.body.requestId);
    const huge = await rawExchange(gateway.url, `GET /v1/users HTTP/1.1\r\nhost: x\r\nx-filler: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(huge).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(huge.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});

describe('gateway request timeout', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startWith({ NP_HTTP_REQUEST_TIMEOUT_MS: '300', NP_RPC_TIMEOUT_MS: '800' }, 'hang');
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('cuts off a client whose body never finishes with 408 request_timeout', async () => {
    const response = await rawExchange(
      gateway.url,
      'POST /v1/auth/login HTTP/1.1\r\nhost: x\r\nx-request-id: slow-body-1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"email":',
    );
    expect(response).toEqual({
      status: 408,
      headers: expect.objectContaining({ 'x-request-id': 'slow-body-1', 'content-type': 'application/json; charset=utf-8', connection: 'close' }),
      body: { code: 'request_timeout', message: expect.any(String), requestId: 'slow-body-1' },
    });
  });

  it('cuts off a client whose headers never finish', async () => {
    const response = await rawExchange(gateway.url, 'GET /v1/users HTTP/1.1\r\nhost: x\r\n');
    expect(response).toMatchObject({ status: 408, body: { code: 'request_timeout' } });
  });

  it('does not time out a request that arrived whole while its handler works longer', async () => {
    const response = await get(gateway, `/v1/users/${USER_ID}`, { authorization: `Bearer ${await token()}` });
    await expectContractError(response, 504, 'module_timeout');
  });
});

describe('gateway probes and ops port', () => {
  it('serves /metrics and the detailed readiness on the ops port only', async () => {
    const gateway = await startWith({});
    try {
      await get(gateway, '/healthz');
      await expectContractError(await get(gateway, '/metrics'), 404, 'route_not_found');
      expect(await (await get(gateway, '/readyz')).json()).toEqual({ status: 'ready' });
      const metrics = await fetch(`${gateway.opsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('http_request_duration_seconds');
      expect(await (await fetch(`${gateway.opsUrl}/readyz`)).json()).toEqual({ status: 'ready', ready: true, checks: { bus: 'up', revocations: 'up' } });
    } finally {
      await gateway.close();
    }
  });

  it('tells the public only "not ready", and the ops port which check is down', async () => {
    const gateway = await startWith({}, 'answer', [{ name: 'database', check: () => false }]);
    try {
      const response = await get(gateway, '/readyz');
      expect(response.status).toBe(503);
      const body = await response.json();
      expect(body).toEqual({ status: 'not_ready', code: 'not_ready', message: expect.any(String), requestId: response.headers.get('x-request-id') });
      expect(JSON.stringify(body)).not.toContain('database');
      const ops = await fetch(`${gateway.opsUrl}/readyz`);
      expect(ops.status).toBe(503);
      expect(await ops.json()).toMatchObject({ checks: { bus: 'up', database: 'down' } });
    } finally {
      await gateway.close();
    }
  });
});

describe('gateway security headers', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startWith({});
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('sends the usual security headers and a strict policy on API answers, errors included', async () => {
    for (const response of [await get(gateway, `/v1/users/${USER_ID}`, { authorization: `Bearer ${await token()}` }), await get(gateway, '/v1/users'), await get(gateway, '/nothing')]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    }
  });

  it('marks every /v1 answer, tokens and errors alike, as not to be stored', async () => {
    const login = await fetch(`${gateway.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@b.co', password: 'a-password' }) });
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect((await get(gateway, `/v1/users/${USER_ID}`, { authorization: `Bearer ${await token()}` })).headers.get('cache-control')).toBe('no-store');
    expect((await get(gateway, '/v1/users')).headers.get('cache-control')).toBe('no-store');
  });

  it('gives the Swagger UI page a policy that lets it load its own script, styles and the document', async () => {
    const page = await get(gateway, '/docs');
    expect(page.status).toBe(200);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self' 'unsafe-inline'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets).toEqual(['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/init.js']);
    for (const asset of [...assets, '/docs/openapi.json']) expect((await get(gateway, asset)).status).toBe(200);
  });
});

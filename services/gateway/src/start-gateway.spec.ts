import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type CryptoKey } from 'jose';
import { InProcessTransport } from '@np/messaging';
import { createLogger } from '@np/observability';
import { createServiceDeps } from '@np/runtime';
import { type RunningGateway, startGateway } from './start-gateway.js';
import { gatewaySettingsSchema } from './settings.js';

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

async function startWith(env: Record<string, string>, serveUsers: 'answer' | 'hang' | 'absent' = 'answer') {
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
    await transport.serve('users', (request) =>
      serveUsers === 'hang'
        ? new Promise(() => undefined)
        : Promise.resolve({ ok: true, body: { id: (request.body as { id: string }).id, email: 'a@b.co', displayName: 'A', roles: ['member'], createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() } }),
    );
  }
  const deps = createServiceDeps('gateway', settings, transport, { logger: createLogger({ service: 'gateway-spec', level: 'silent' }) });
  return startGateway({ deps, settings });
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

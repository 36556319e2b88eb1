import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { PUBLIC, streamRoute } from '@np/contracts';
import { InProcessTransport } from '@np/messaging';
import { createLogger } from '@np/observability';
import { createServiceDeps } from '@np/runtime';
import { type RunningGateway, startGateway } from '../start-gateway.js';
import { gatewaySettingsSchema } from '../settings.js';

// The gateway's stream routes against a fake data listener: the access steps first, then the
// bytes both ways untouched (the listener echoes what it got), and the errors of the hop.
let privateKey: CryptoKey;
let publicJwk: JWK;
let upstream: Server;
const seen: { method: string; url: string; authorization?: string; requestId?: string; bytes: number }[] = [];

const STREAMS = [
  streamRoute({ module: 'files', methods: ['POST'], path: '/v1/files', summary: 'upload', policy: {}, response: { status: 201, description: 'x' }, errors: [] }),
  streamRoute({ module: 'files', methods: ['GET'], path: '/public/files/:id/:name', summary: 'public', policy: PUBLIC, response: { status: 200, description: 'x' }, errors: [] }),
];

async function token(): Promise<string> {
  return new SignJWT({ tenant: 'acme', roles: ['member'] })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setIssuer('http://issuer.test')
    .setAudience('np-api')
    .setSubject('7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
}

async function startWith(modules: string, dataUrl: string): Promise<RunningGateway> {
  const settings = gatewaySettingsSchema.parse({ PORT: '0', NP_TENANT: 'acme', NP_ISSUER: 'http://issuer.test', NP_MODULES: modules, NP_RPC_TIMEOUT_MS: '300' });
  const transport = new InProcessTransport();
  await transport.start();
  await transport.serve('auth', (request) =>
    Promise.resolve(
      request.pattern === 'auth.jwks'
        ? { ok: true as const, body: { keys: [publicJwk] } }
        : request.pattern === 'auth.revocations.list'
          ? { ok: true as const, body: { sessions: [], users: [] } }
          : { ok: false as const, error: { code: 'not_found' as const, message: 'no' } },
    ),
  );
  const deps = createServiceDeps('gateway', settings, transport, { logger: createLogger({ service: 'gateway-spec', level: 'silent' }) });
  return startGateway({ deps, settings, routes: [], streams: STREAMS, dataUrls: { files: dataUrl } });
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  upstream = createServer((request, response) => {
    let bytes = 0;
    request.on('data', (chunk: Buffer) => (bytes += chunk.length));
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', authorization: request.headers.authorization, requestId: request.headers['x-request-id'] as string, bytes });
      response.writeHead(201, { 'content-type': 'application/octet-stream', 'cache-control': 'public, max-age=60', connection: 'close' });
      response.end(Buffer.alloc(bytes, 'z'));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

describe('stream routes', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    gateway = await startWith('users,files', `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });
  afterAll(() => gateway.close());

  it('pipes a body of any type to the module with the token and the request id, and its answer back', async () => {
    const bearer = await token();
    const body = Buffer.alloc(3 * 1024 * 1024, 'a');
    const response = await fetch(`${gateway.url}/v1/files?x=1`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-anything', 'x-request-id': 'req-stream-1' }, body });
    expect(response.status).toBe(201);
    expect((await response.arrayBuffer()).byteLength).toBe(body.length);
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    expect(response.headers.get('connection')).not.toBe('close');
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/v1/files?x=1', authorization: `Bearer ${bearer}`, requestId: 'req-stream-1', bytes: body.length });
  });

  it('refuses without a token before anything reaches the module, and lets a public route through', async () => {
    const before = seen.length;
    const refused = await fetch(`${gateway.url}/v1/files`, { method: 'POST', body: 'x' });
    expect(refused.status).toBe(401);
    await expect(refused.json()).resolves.toMatchObject({ code: 'token_missing' });
    expect(seen.length).toBe(before);
    expect((await fetch(`${gateway.url}/public/files/7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11/a.txt`)).status).toBe(201);
  });
});

describe('stream routes of a module that is off or unreachable', () => {
  it('answers 404 module_not_enabled when the tenant did not enable it', async () => {
    const gateway = await startWith('users', `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
    try {
      const response = await fetch(`${gateway.url}/v1/files`, { method: 'POST', headers: { authorization: `Bearer ${await token()}` }, body: 'x' });
      expect(response.status).toBe(404);
      await expect(response.json()).resolves.toMatchObject({ code: 'module_not_enabled' });
    } finally {
      await gateway.close();
    }
  });

  it('answers 503 module_unavailable when its data listener does not answer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gateway = await startWith('users,files', `http://127.0.0.1:${port}`);
    try {
      const response = await fetch(`${gateway.url}/public/files/7d9c6a0e-4f7e-4a55-9a52-0c6f1f0c2b11/a.txt`);
      expect(response.status).toBe(503);
      await expect(response.json()).resolves.toMatchObject({ code: 'module_unavailable' });
    } finally {
      await gateway.close();
    }
  });
});

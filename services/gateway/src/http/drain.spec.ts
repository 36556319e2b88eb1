import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { createLogger } from '@np/observability';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Drain, registerDrain } from './drain.js';

const logger = createLogger({ service: 'drain-spec', level: 'silent' });

interface Started {
  app: FastifyInstance;
  url: string;
  drain: Drain;
  /** Resolves the slow route's pending answers. */
  release: () => void;
  /** Resolves once the slow route has been entered `count` times. */
  entered: (count: number) => Promise<void>;
}

const open: FastifyInstance[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

async function start(timeoutMs = 60_000): Promise<Started> {
  const app = Fastify({ logger: false });
  open.push(app);
  const drain = registerDrain(app, { logger, timeoutMs });
  const waiting: (() => void)[] = [];
  const entries: { count: number; resolve: () => void }[] = [];
  let enteredCount = 0;
  app.get('/slow', async () => {
    enteredCount += 1;
    for (const entry of entries) if (enteredCount >= entry.count) entry.resolve();
    await new Promise<void>((resolve) => waiting.push(resolve));
    return { done: true };
  });
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', () => ({ status: 'ready' }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    drain,
    release: () => {
      for (const resolve of waiting.splice(0)) resolve();
    },
    entered: (count) =>
      enteredCount >= count ? Promise.resolve() : new Promise<void>((resolve) => entries.push({ count, resolve })),
  };
}

/** One GET on its own connection; resolves with the status and body, or rejects when the connection is cut. */
function get(url: string): Promise<{ status: number; body: Record<string, unknown>; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, connection: response.headers.connection }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end();
  });
}

describe('registerDrain', () => {
  it('lets requests in flight finish and answers new ones 503 shutting_down, readiness included', async () => {
    const server = await start();
    const inFlight = [get(`${server.url}/slow`), get(`${server.url}/slow`), get(`${server.url}/slow`)];
    await server.entered(3);

    const drained = server.drain();
    const refused = await get(`${server.url}/slow`);
    const readiness = await get(`${server.url}/readyz`);
    const liveness = await get(`${server.url}/healthz`);
    server.release();

    expect(refused).toMatchObject({ status: 503, body: { code: 'shutting_down', message: expect.any(String) }, connection: 'close' });
    expect(readiness).toMatchObject({ status: 503, body: { code: 'shutting_down' } });
    expect(liveness.status).toBe(200);
    for (const response of await Promise.all(inFlight)) {
      expect(response).toMatchObject({ status: 200, body: { done: true }, connection: 'close' });
    }
    await drained;
  });

  it('resolves at once when nothing is in flight, and only drains once', async () => {
    const server = await start();
    const first = server.drain();
    expect(server.drain()).toBe(first);
    await first;
  });

  it('cuts the connections of requests still running when the timeout passes', async () => {
    const server = await start(50);
    const hung = get(`${server.url}/slow`);
    await server.entered(1);

    await server.drain();

    await expect(hung).rejects.toThrow();
    server.release();
  });
});

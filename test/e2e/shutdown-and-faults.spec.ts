import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withTimeout } from '@np/contracts';
import pg from 'pg';
import { waitUntil } from '../harness/child-process.js';
import { ApiClient } from '../harness/http-client.js';
import { ADMIN, type PlatformUnderTest, type ProcessExit, shapeUnderTest, startPlatform } from '../harness/platform.js';
import { describeIn, PLATFORM_CLOSE_MS, PLATFORM_STARTUP_MS } from '../harness/shapes.js';

// What happens to requests when the platform is told to stop, when its database goes away, and
// what a local user can get from its data at rest. Each destructive case starts its own platform.

const shape = shapeUnderTest();
const GRACE_MS = 20_000;

interface Answer {
  status: number;
  code: string | undefined;
}

/** An HTTP request on a connection of its own, so the test knows when it has been written. */
function send(url: string, method: string, path: string, options: { json?: unknown; token?: string; from?: string } = {}) {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  let onWritten: () => void = () => undefined;
  const written = new Promise<void>((resolve) => (onWritten = resolve));
  const answer = new Promise<Answer>((resolve, reject) => {
    const request = httpRequest(
      `${url}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.from ? { 'x-forwarded-for': options.from } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, code: codeOf(text) }));
        response.on('error', reject);
      },
    );
    request.on('finish', onWritten);
    request.on('error', reject);
    request.end(body);
  });
  return { written, answer };
}

function codeOf(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** What a client sees of a request sent while the platform stops: an answer, or the connection's error code. */
function outcome(answer: Promise<Answer>): Promise<Answer | { connection: string }> {
  return answer.catch((error: NodeJS.ErrnoException) => ({ connection: error.code ?? error.message }));
}

/**
 * Twenty logins of one account from one address would be throttled (an attempt counts as a
 * failure until its password is checked): each comes from an address of its own, which the
 * gateway takes from X-Forwarded-For when it trusts a proxy.
 */
const SHUTDOWN_ENV = { NP_SHUTDOWN_GRACE_MS: String(GRACE_MS), NP_TRUST_PROXY: 'true' };
const login = (url: string, index: number) => send(url, 'POST', '/v1/auth/login', { json: ADMIN, from: `10.20.0.${index + 1}` });

/** Waits for `exit` at most `ms`; fails naming `what` otherwise. */
function within(exit: Promise<ProcessExit>, ms: number, what: string): Promise<ProcessExit> {
  return withTimeout(exit, ms, () => new Error(`${what} did not happen within ${ms} ms`));
}

function uniqueEmail(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}@e2e.test`;
}

async function adminToken(platform: PlatformUnderTest): Promise<string> {
  return (await new ApiClient(platform.url).login(ADMIN.email, ADMIN.password)).access_token;
}

describe(`shutdown and faults end to end (${shape})`, () => {
  // Signals to one process; on the node a pod's end is the kubelet's (tenant-on-node.spec.ts kills one).
  describeIn('embedded', 'distributed')('SIGTERM', () => {
    it('lets the 20 requests in flight finish, answers later ones 503 shutting_down (or refuses them), and exits cleanly', async () => {
      const platform = await startPlatform(shape, { env: SHUTDOWN_ENV });
      try {
        // Logins hash with argon2: 20 at once keep the platform busy for a while.
        const inFlight = Array.from({ length: 20 }, (_, index) => login(platform.url, index));
        await Promise.all(inFlight.map((request) => request.written));
        // Answered after all 20 were written on their connections: the gateway has read them by now.
        expect((await send(platform.url, 'GET', '/healthz').answer).status).toBe(200);

        const exited = platform.signal('SIGTERM');
        await waitUntil('readiness to report the platform leaving', async () => {
          const readiness = await outcome(send(platform.url, 'GET', '/readyz').answer);
          return !('status' in readiness) || readiness.status === 503;
        });
        const later = await Promise.all(Array.from({ length: 5 }, () => outcome(send(platform.url, 'GET', '/v1/users').answer)));

        expect(await Promise.all(inFlight.map((request) => outcome(request.answer)))).toEqual(inFlight.map(() => expect.objectContaining({ status: 200 })));
        for (const answer of later) {
          if ('status' in answer) expect(answer).toEqual({ status: 503, code: 'shutting_down' });
          else expect(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']).toContain(answer.connection);
        }
        // Exit code 0: the orderly close finished; the grace period's forced exit would be 1.
        expect(await within(exited, GRACE_MS, 'the exit')).toEqual({ code: 0, signal: null });
      } finally {
        await platform.close();
      }
    }, 120_000);

    (shape === 'distributed' ? it : it.skip)('makes a module process finish the requests it has taken before it exits', async () => {
      const platform = await startPlatform(shape, { env: SHUTDOWN_ENV });
      try {
        const logins = Array.from({ length: 20 }, (_, index) => outcome(login(platform.url, index).answer));
        // Each login hashes for a while; by the first answer auth has taken the other 19 off its queue.
        await Promise.race(logins);

        const exited = platform.signal('SIGTERM', 'auth');

        expect(await Promise.all(logins)).toEqual(logins.map(() => expect.objectContaining({ status: 200 })));
        expect(await within(exited, GRACE_MS, 'the exit of auth')).toEqual({ code: 0, signal: null });
      } finally {
        await platform.close();
      }
    }, 120_000);

    it('exits within the grace period even when a request never finishes', async () => {
      const grace = 4000;
      const platform = await startPlatform(shape, { env: { NP_SHUTDOWN_GRACE_MS: String(grace) } });
      try {
        // Headers and half a body, then nothing: the request stays in flight.
        const hung = httpRequest(`${platform.url}/v1/auth/login`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': '100' } });
        const cut = new Promise<void>((resolve) => {
          hung.on('error', () => resolve());
          hung.on('response', (response) => response.on('close', () => resolve()).resume());
        });
        await new Promise<void>((resolve, reject) => hung.write('{"email":', (error) => (error ? reject(error) : resolve())));
        expect((await send(platform.url, 'GET', '/healthz').answer).status).toBe(200);

        const exit = await within(platform.signal('SIGTERM'), grace + 2000, 'the exit');

        expect(exit).toEqual({ code: 0, signal: null });
        await cut;
      } finally {
        await platform.close();
      }
    }, 120_000);
  });

  // The platform's issuer keeps its keys in the auth schema; a realm keeps its own in Keycloak.
  describeIn('embedded', 'distributed')('signing keys at rest', () => {
    let platform: PlatformUnderTest;

    beforeAll(async () => {
      platform = await startPlatform(shape);
    }, 120_000);

    afterAll(async () => {
      await platform?.close();
    }, 60_000);

    it('stores no private key material: the private key column holds a JWE, no "d"', async () => {
      await adminToken(platform);
      const client = new pg.Client({ connectionString: platform.databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ private_jwk: Record<string, unknown> }>('select private_jwk from auth.signing_keys');
        expect(rows.length).toBeGreaterThan(0);
        for (const { private_jwk: stored } of rows) {
          expect(stored).not.toHaveProperty('d');
          expect(Object.keys(stored).sort()).toEqual(['ciphertext', 'iv', 'protected', 'tag']);
        }
      } finally {
        await client.end();
      }
    });

    (shape === 'embedded' ? it : it.skip)('keeps the data folder private, its secrets 0600, and refuses the old np:np login', async () => {
      const dataDir = platform.dataDir!;
      const mode = (path: string) => statSync(path).mode & 0o777;
      if (process.getuid?.() === 0) {
        // PostgreSQL runs as the postgres account: its group may only pass through (see libs/persistence).
        expect(mode(dataDir)).toBe(0o710);
        expect(statSync(dataDir).gid).toBe(Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()));
      } else {
        expect(mode(dataDir)).toBe(0o700);
      }
      expect(mode(join(dataDir, 'database-password'))).toBe(0o600);
      expect(mode(join(dataDir, 'signing-key-encryption-key'))).toBe(0o600);

      const legacy = new URL(platform.databaseUrl);
      legacy.password = 'np';
      const client = new pg.Client({ connectionString: legacy.toString() });
      await expect(client.connect()).rejects.toMatchObject({ code: '28P01' });
    });
  });

  // The test servers' PostgreSQL, which the node's pods use too.
  describeIn('distributed', 'cluster')('PostgreSQL restarted under a stream of writes', () => {
    let platform: PlatformUnderTest;

    beforeAll(async () => {
      platform = await startPlatform(shape);
    }, PLATFORM_STARTUP_MS);

    afterAll(async () => {
      await platform?.startDatabase();
      await platform?.close();
    }, PLATFORM_CLOSE_MS);

    it('loses no acknowledged write, answers 503 database_unavailable during the outage and recovers without a restart', async () => {
      const api = new ApiClient(platform.url);
      const token = await adminToken(platform);
      const answers: { status: number; code: string | undefined; id?: string }[] = [];
      let running = true;
      const writer = async () => {
        while (running) {
          const response = await api.request<{ id?: string; code?: string }>('POST', '/v1/users', { token, json: { email: uniqueEmail('stream'), displayName: 'Stream' } });
          answers.push({ status: response.status, code: response.body.code, ...(response.body.id ? { id: response.body.id } : {}) });
        }
      };
      const created = () => answers.filter((answer) => answer.status === 201).length;
      const writers = Array.from({ length: 4 }, () => writer());
      try {
        await waitUntil('writes before the outage', () => created() >= 10);
        await platform.stopDatabase();
        await waitUntil('a write during the outage', () => answers.some((answer) => answer.code === 'database_unavailable'));
        await waitUntil('more writes answered during the outage', () => answers.filter((answer) => answer.code === 'database_unavailable').length >= 4);
        await platform.startDatabase();
        const before = created();
        await waitUntil('writes after the outage', () => created() >= before + 10, 60_000);
      } finally {
        running = false;
        await Promise.all(writers);
      }

      // Nothing but success or the outage's own answer: no 500, no 504 (503 came within the bus timeout).
      expect(new Set(answers.map((answer) => `${answer.status} ${answer.code ?? ''}`.trim()))).toEqual(new Set(['201', '503 database_unavailable']));
      for (const { id } of answers.filter((answer) => answer.status === 201)) {
        expect((await api.request('GET', `/v1/users/${id}`, { token })).status).toBe(200);
      }
    }, 180_000);
  });

  (shape === 'embedded' ? describe : describe.skip)('the embedded database process killed', () => {
    it('answers 503 database_unavailable, and after a restart on the same data folder every acknowledged write is there', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'np-e2e-kill-'));
      let platform = await startPlatform(shape, { dataDir });
      try {
        const api = new ApiClient(platform.url);
        const token = await adminToken(platform);
        const ids: string[] = [];
        for (let index = 0; index < 5; index += 1) {
          const response = await api.request<{ id: string }>('POST', '/v1/users', { token, json: { email: uniqueEmail('kept'), displayName: 'Kept' } });
          expect(response.status).toBe(201);
          ids.push(response.body.id);
        }

        await platform.killDatabase();

        await waitUntil('the outage to show', async () => {
          const response = await api.request('POST', '/v1/users', { token, json: { email: uniqueEmail('lost'), displayName: 'Lost' } });
          return response.body.code === 'database_unavailable';
        });
        const write = await api.request('POST', '/v1/users', { token, json: { email: uniqueEmail('lost'), displayName: 'Lost' } });
        const read = await api.request('GET', `/v1/users/${ids[0]}`, { token });
        expect({ status: write.status, code: write.body.code }).toEqual({ status: 503, code: 'database_unavailable' });
        expect({ status: read.status, code: read.body.code }).toEqual({ status: 503, code: 'database_unavailable' });
        expect((await api.request('GET', '/readyz')).status).toBe(503);

        await platform.close();
        platform = await startPlatform(shape, { dataDir });
        const restarted = new ApiClient(platform.url);
        const freshToken = await adminToken(platform);
        for (const id of ids) expect((await restarted.request('GET', `/v1/users/${id}`, { token: freshToken })).status).toBe(200);
      } finally {
        await platform.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }, 180_000);
  });
});

import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testAmqpManagementUrl, testAmqpUrl, testDatabaseUrl, uniqueName } from '@np/testing';
import pg from 'pg';
import { ROOT, startNode, stopChild, waitUntil } from './child-process.js';
import { freePort } from './free-port.js';

export type Shape = 'embedded' | 'distributed';
type ModuleProcess = 'auth' | 'users' | 'gateway';

export const ADMIN = { email: 'admin@e2e.test', password: 'admin-password-e2e' };
export const RPC_TIMEOUT_MS = 2000;

/** The platform as the end-to-end suite sees it: an HTTP address, plus handles to break things. */
export interface PlatformUnderTest {
  shape: Shape;
  url: string;
  /** The database every module of this platform uses (for reading signing keys in token tests). */
  databaseUrl: string;
  stopModule(name: ModuleProcess): Promise<void>;
  startModule(name: ModuleProcess): Promise<void>;
  restartBroker(): Promise<void>;
  close(): Promise<void>;
}

export function shapeUnderTest(): Shape {
  return process.env.NP_E2E_SHAPE === 'embedded' ? 'embedded' : 'distributed';
}

const COMMON_ENV = {
  NP_ENV: 'test',
  LOG_LEVEL: 'info',
  NP_TENANT: 'e2e',
  NP_MODULES: 'users',
  NP_RPC_TIMEOUT_MS: String(RPC_TIMEOUT_MS),
  NP_RATE_LIMIT_IP_PER_MINUTE: '100000',
  NP_RATE_LIMIT_USER_PER_MINUTE: '100000',
  NP_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
  NP_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
  NP_BODY_LIMIT_BYTES: String(64 * 1024),
};

export async function startPlatform(shape: Shape = shapeUnderTest()): Promise<PlatformUnderTest> {
  return shape === 'embedded' ? startEmbeddedPlatform() : startDistributedPlatform();
}

async function startEmbeddedPlatform(): Promise<PlatformUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'np-e2e-'));
  const port = await freePort();
  const pgPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...COMMON_ENV, PORT: String(port), NP_ISSUER: url, NP_DATA_DIR: dataDir, NP_EMBEDDED_PG_PORT: String(pgPort) };
  const child = startNode('embedded', 'services/embedded/dist/main.js', env);
  await waitForPlatform(url, child);
  const unsupported = () => Promise.reject(new Error('not possible in the embedded shape'));
  return {
    shape: 'embedded',
    url,
    databaseUrl: `postgresql://np:np@127.0.0.1:${pgPort}/np`,
    stopModule: unsupported,
    startModule: unsupported,
    restartBroker: unsupported,
    close: async () => {
      await stopChild(child, 'SIGTERM', 15_000);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startDistributedPlatform(): Promise<PlatformUnderTest> {
  const vhost = uniqueName('e2e');
  const database = uniqueName('e2e');
  await createVhost(vhost);
  await createDatabase(database);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const databaseUrl = withDatabase(testDatabaseUrl(), database);
  const env = { ...COMMON_ENV, NP_ISSUER: url, NP_AMQP_URL: testAmqpUrl(vhost), NP_DATABASE_URL: databaseUrl };
  const scripts: Record<ModuleProcess, string> = {
    auth: 'services/auth/dist/main.js',
    users: 'services/users/dist/main.js',
    gateway: 'services/gateway/dist/main.js',
  };
  const children = new Map<ModuleProcess, ChildProcess>();
  const start = async (name: ModuleProcess) => {
    const extra = name === 'gateway' ? { PORT: String(port) } : { NP_OPS_PORT: String(await freePort()) };
    children.set(name, startNode(`distributed-${name}`, scripts[name], { ...env, ...extra }));
  };
  for (const name of ['auth', 'users', 'gateway'] as const) await start(name);
  await waitForPlatform(url, children.get('gateway'));
  return {
    shape: 'distributed',
    url,
    databaseUrl,
    stopModule: async (name) => {
      await stopChild(children.get(name), 'SIGKILL');
      children.delete(name);
    },
    startModule: start,
    restartBroker: async () => {
      await run('bash', [join(ROOT, 'tools/rabbitmq-ctl.sh'), 'stop_app']);
      await run('bash', [join(ROOT, 'tools/rabbitmq-ctl.sh'), 'start_app']);
      await waitUntil('the RabbitMQ management API', async () => (await managementFetch('/api/overview', { method: 'GET' })).ok, 60_000);
    },
    close: async () => {
      await Promise.all([...children.values()].map((child) => stopChild(child)));
      await deleteVhost(vhost);
      await dropDatabase(database);
    },
  };
}

/** Ready means: /readyz answers 200 and the bootstrap admin can log in. */
async function waitForPlatform(url: string, child: ChildProcess | undefined): Promise<void> {
  await waitUntil(`the platform at ${url}`, async () => {
    const ready = await fetch(`${url}/readyz`);
    if (ready.status !== 200) return false;
    const login = await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    return login.status === 200;
  }, 90_000, child);
}

const execFileAsync = promisify(execFile);
async function run(command: string, args: string[]): Promise<void> {
  await execFileAsync(command, args, { cwd: ROOT });
}

function managementFetch(path: string, init: RequestInit): Promise<Response> {
  const base = new URL(testAmqpManagementUrl());
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  return fetch(`${base.protocol}//${base.host}${path}`, { ...init, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' } });
}

async function createVhost(vhost: string): Promise<void> {
  await managementFetch(`/api/vhosts/${vhost}`, { method: 'PUT', body: '{}' });
  await managementFetch(`/api/permissions/${vhost}/np`, { method: 'PUT', body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }) });
}

async function deleteVhost(vhost: string): Promise<void> {
  await managementFetch(`/api/vhosts/${vhost}`, { method: 'DELETE' });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function createDatabase(name: string): Promise<void> {
  return adminQuery(`create database "${name}"`);
}

function dropDatabase(name: string): Promise<void> {
  return adminQuery(`drop database if exists "${name}" with (force)`);
}

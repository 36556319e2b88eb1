// The platform as the e2e suite and the benchmark see it: started from the built services as child
// processes, in either shape, with handles to break things. Plain JavaScript so both Jest and a
// bare `node bench/...` can load it.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RabbitMqManagement, amqpUrlFor } from '@np/messaging';
import { DATA_LISTENERS, PROCESS_MODULES } from '@np/modules';
import { testAmqpManagementUrl, testAmqpUrl, testDatabaseUrl, uniqueName } from '@np/testing';
import pg from 'pg';
import { exitOf, ROOT, startNode, stopChild, waitUntil } from './child-process.js';
import { freePort, portOpen } from './free-port.js';
import { startClusterPlatform } from './cluster-platform.js';

export const ADMIN = { email: 'admin@e2e.test', password: 'admin-password-e2e' };
export const RPC_TIMEOUT_MS = 2000;
/** Short, so a test can wait past it to see a replayed refresh token treated as stolen. */
export const REFRESH_GRACE_SECONDS = 1;

/** @typedef {'embedded' | 'distributed' | 'cluster'} Shape */
/** @typedef {import('@np/modules').ImplementedModuleName} ModuleProcess */
/**
 * @typedef {object} PlatformUnderTest
 * @property {Shape} shape
 * @property {string} url
 * @property {string} opsUrl the gateway's ops port: /metrics and the detailed /readyz
 * @property {string} databaseUrl the database every module of this platform uses
 * @property {{ issuer: string, audience: string, tenant: string }} identity what its access tokens carry
 *   as `iss`, `aud` and `tenant`
 * @property {number} bodyLimitBytes the gateway's largest request body
 * @property {(name: ModuleProcess) => Promise<void>} stopModule
 * @property {(name: ModuleProcess) => Promise<void>} startModule
 * @property {() => Promise<void>} restartBroker
 * @property {() => Promise<string>} startExtraGateway another gateway replica on the same bus (distributed only); answers its URL
 * @property {Record<string, string>} amqpUrls each service's own broker URL (distributed only)
 * @property {() => Promise<void>} close
 * @property {string} signingKeyEncryptionKey the key the auth module seals its signing keys with
 * @property {(signal: NodeJS.Signals, name?: ModuleProcess) => Promise<ProcessExit>} signal sends
 *   `signal` to the platform process (embedded) or to one service process (distributed, default the
 *   gateway) and resolves with how that process exited
 * @property {() => Promise<void>} stopDatabase distributed: stops the test PostgreSQL (every suite's!)
 * @property {() => Promise<void>} startDatabase distributed: starts it again (no-op when it runs)
 * @property {() => Promise<void>} killDatabase embedded: SIGKILL to the embedded PostgreSQL's postmaster
 * @property {() => Promise<void>} stopStorage distributed: stops the test S3 server (every suite's!)
 * @property {() => Promise<void>} startStorage distributed: starts it again (no-op when it runs)
 * @property {string | undefined} dataDir embedded: the data folder
 */
/** @typedef {{ code: number | null, signal: NodeJS.Signals | null }} ProcessExit */
/**
 * @typedef {object} PlatformOptions
 * @property {Record<string, string>} [env] settings on top of the defaults below
 * @property {string[]} [nodeArgs] extra node flags for the platform processes (e.g. --cpu-prof)
 * @property {string} [logDir] where the processes' logs go (default .local/e2e-logs)
 * @property {string} [dataDir] embedded: start on this data folder (kept on close) instead of a new one
 */

/** NP_E2E_SHAPE: `embedded`, `cluster` (a Tenant on the real node, through the ingress) or, by default, `distributed`. @returns {Shape} */
export function shapeUnderTest() {
  const shape = process.env.NP_E2E_SHAPE;
  return shape === 'embedded' || shape === 'cluster' ? shape : 'distributed';
}

const DEFAULT_ENV = {
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
  NP_REFRESH_REUSE_GRACE_SECONDS: String(REFRESH_GRACE_SECONDS),
};

/** @param {Shape} [shape] @param {PlatformOptions} [options] @returns {Promise<PlatformUnderTest>} */
export async function startPlatform(shape = shapeUnderTest(), options = {}) {
  if (shape === 'cluster') {
    const platform = await startClusterPlatform({ admin: ADMIN, env: options.env, servers: hostServerHandles });
    signingKeys.set(platform.databaseUrl, platform.signingKeyEncryptionKey);
    return platform;
  }
  return shape === 'embedded' ? startEmbeddedPlatform(options) : startDistributedPlatform(options);
}

/** @param {PlatformOptions} options */
async function startEmbeddedPlatform(options) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'np-e2e-'));
  const port = await freePort();
  const pgPort = await freePort();
  const opsPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { ...DEFAULT_ENV, NP_ISSUER: url, ...options.env, PORT: String(port), NP_OPS_PORT: String(opsPort), NP_DATA_DIR: dataDir, NP_EMBEDDED_PG_PORT: String(pgPort) };
  const child = startNode('embedded', 'services/embedded/dist/main.js', env, options);
  const close = async () => {
    await stopChild(child, 'SIGTERM', 15_000);
    // PostgreSQL (the platform's own child) may still be writing into the folder: wait for its port.
    await waitUntil(`embedded PostgreSQL on ${pgPort} to stop`, async () => !(await portOpen(pgPort)), 30_000);
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  };
  await waitForPlatform(url, child, env).catch(async (error) => {
    await close();
    throw error;
  });
  const unsupported = () => Promise.reject(new Error('not possible in the embedded shape'));
  // The platform generates both per data folder (see services/embedded): read them once it is up.
  const secret = (/** @type {string} */ file) => readFileSync(join(dataDir, file), 'utf8').trim();
  const databaseUrl = `postgresql://np:${encodeURIComponent(secret('database-password'))}@127.0.0.1:${pgPort}/np`;
  const signingKeyEncryptionKey = secret('signing-key-encryption-key');
  signingKeys.set(databaseUrl, signingKeyEncryptionKey);
  return {
    shape: 'embedded',
    url,
    identity: identityOf(env),
    bodyLimitBytes: Number(env.NP_BODY_LIMIT_BYTES),
    opsUrl: `http://127.0.0.1:${opsPort}`,
    databaseUrl,
    dataDir,
    signingKeyEncryptionKey,
    stopModule: unsupported,
    startModule: unsupported,
    startExtraGateway: unsupported,
    amqpUrls: {},
    restartBroker: unsupported,
    signal: (signal) => {
      child.kill(signal);
      return exitOf(child);
    },
    killDatabase: async () => {
      const pid = Number(secret('postgres/postmaster.pid').split('\n')[0]);
      process.kill(pid, 'SIGKILL');
      await waitUntil(`embedded PostgreSQL on ${pgPort} to go away`, async () => !(await portOpen(pgPort)), 30_000);
    },
    stopDatabase: unsupported,
    startDatabase: unsupported,
    stopStorage: unsupported,
    startStorage: unsupported,
    close,
  };
}

/** @param {PlatformOptions} options */
async function startDistributedPlatform(options) {
  const vhost = uniqueName('e2e');
  const database = uniqueName('e2e');
  const management = new RabbitMqManagement(testAmqpManagementUrl());
  await management.createVhost(vhost);
  await management.grantAll(vhost, new URL(testAmqpManagementUrl()).username);
  // Each service connects as its own RabbitMQ user, with only the permissions it needs.
  /** @type {Record<string, string>} */
  const amqpUrls = {};
  for (const service of PROCESS_MODULES) {
    const user = `${vhost}.${service}`;
    amqpUrls[service] = amqpUrlFor(testAmqpUrl(vhost), vhost, user, await management.provisionServiceUser(vhost, user, service));
  }
  await createDatabase(database);
  const port = await freePort();
  const opsPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const databaseUrl = testDatabaseUrl(database);
  const signingKeyEncryptionKey = randomBytes(32).toString('base64url');
  signingKeys.set(databaseUrl, signingKeyEncryptionKey);
  // The public URL as tools/start-distributed.sh gives it to every process.
  const env = {
    ...DEFAULT_ENV,
    NP_SIGNING_KEY_ENCRYPTION_KEY: signingKeyEncryptionKey,
    NP_ISSUER: url,
    NP_PUBLIC_URL: `http://localhost:${port}`,
    // The platform's own bucket on the test S3 server (files).
    NP_S3_BUCKET: `np-e2e-${randomBytes(6).toString('hex')}`,
    ...options.env,
    NP_DATABASE_URL: databaseUrl,
  };
  // Each data listener (files) on a port of its own, which the gateway is told.
  /** @type {Record<string, string>} */
  const dataPorts = {};
  /** @type {Record<string, string>} */
  const dataUrls = {};
  for (const listener of DATA_LISTENERS) {
    const dataPort = await freePort();
    dataPorts[listener.name] = String(dataPort);
    dataUrls[listener.urlSetting] = `http://127.0.0.1:${dataPort}`;
  }
  /** @type {Map<ModuleProcess, import('node:child_process').ChildProcess>} */
  const children = new Map();
  const start = async (/** @type {ModuleProcess} */ name) => {
    const listener = DATA_LISTENERS.find((candidate) => candidate.name === name);
    const extra =
      name === 'gateway'
        ? { PORT: String(port), NP_OPS_PORT: String(opsPort), ...dataUrls }
        : { NP_OPS_PORT: String(await freePort()), ...dataUrls, ...(listener ? { [listener.portSetting]: dataPorts[name] } : {}) };
    children.set(name, startNode(`distributed-${name}`, `services/${name}/dist/main.js`, { ...env, NP_AMQP_URL: amqpUrls[name], ...extra }, options));
  };
  /** @type {import('node:child_process').ChildProcess[]} */
  const extraGateways = [];
  const close = async () => {
    await Promise.all([...children.values(), ...extraGateways].map((child) => stopChild(child)));
    await management.deleteVhost(vhost);
    for (const service of Object.keys(amqpUrls)) await management.deleteUser(`${vhost}.${service}`);
    await dropDatabase(database);
  };
  try {
    // Every module with a service process, from the manifest, in its start order (the gateway last).
    for (const name of PROCESS_MODULES) await start(name);
    await waitForPlatform(url, children.get('gateway'), env);
  } catch (error) {
    await close();
    throw error;
  }
  const unsupported = () => Promise.reject(new Error('not possible in the distributed shape'));
  return {
    shape: 'distributed',
    url,
    identity: identityOf(env),
    bodyLimitBytes: Number(env.NP_BODY_LIMIT_BYTES),
    opsUrl: `http://127.0.0.1:${opsPort}`,
    databaseUrl,
    dataDir: undefined,
    signingKeyEncryptionKey,
    signal: (signal, name = 'gateway') => {
      const child = children.get(name);
      if (!child) return Promise.reject(new Error(`${name} is not running`));
      child.kill(signal);
      return exitOf(child);
    },
    ...hostServerHandles,
    restartBroker: () => restartBroker(testAmqpUrl(vhost)),
    killDatabase: unsupported,
    stopModule: async (name) => {
      await stopChild(children.get(name), 'SIGKILL');
      children.delete(name);
    },
    startModule: start,
    amqpUrls,
    startExtraGateway: async () => {
      const extraPort = await freePort();
      const child = startNode(`distributed-gateway-${extraGateways.length + 2}`, 'services/gateway/dist/main.js', { ...env, NP_AMQP_URL: amqpUrls.gateway, PORT: String(extraPort), ...dataUrls }, options);
      extraGateways.push(child);
      const extraUrl = `http://127.0.0.1:${extraPort}`;
      await waitForPlatform(extraUrl, child, env);
      return extraUrl;
    },
    close,
  };
}

/** The issuer the gateway names in its tokens: the public URL when NP_ISSUER is empty. @param {Record<string, string>} env */
function identityOf(env) {
  return { issuer: env.NP_ISSUER || env.NP_PUBLIC_URL || '', audience: env.NP_AUDIENCE ?? 'np-api', tenant: env.NP_TENANT };
}

/**
 * The test servers of tools/servers-up.sh, stopped and started for every suite at once: the
 * distributed and the cluster shapes both use them.
 */
const hostServerHandles = {
  stopDatabase: () => run('bash', [join(ROOT, 'tools/postgres-ctl.sh'), 'stop']),
  startDatabase: () => run('bash', [join(ROOT, 'tools/postgres-ctl.sh'), 'start']),
  stopStorage: () => run('bash', [join(ROOT, 'tools/versitygw.sh'), 'stop']),
  startStorage: () => run('bash', [join(ROOT, 'tools/versitygw.sh'), 'start']),
  /** @param {string} amqpUrl a URL on the platform's vhost */
  restartBroker,
};

/**
 * The broker's Erlang node keeps running; only its application (listeners, queues, management)
 * stops and starts. The restart counts as done only once the AMQP port was closed, a client can
 * open an AMQP connection to the platform's vhost (`amqpUrl`) again and the management API answers.
 * @param {string} amqpUrl
 */
async function restartBroker(amqpUrl) {
  const { connect } = await import('amqplib');
  const amqpPort = Number(new URL(amqpUrl).port || 5672);
  await run('bash', [join(ROOT, 'tools/rabbitmq-ctl.sh'), 'stop_app']);
  await waitUntil(`RabbitMQ to close its AMQP port ${amqpPort}`, async () => !(await portOpen(amqpPort)), 60_000);
  await run('bash', [join(ROOT, 'tools/rabbitmq-ctl.sh'), 'start_app']);
  await waitUntil(`RabbitMQ to accept AMQP connections on ${amqpPort} again`, async () => {
    const connection = await connect(amqpUrl, { timeout: 5000 });
    await connection.close();
    return true;
  }, 60_000);
  await waitUntil('the RabbitMQ management API', async () => (await managementFetch('/api/overview', { method: 'GET' })).ok, 60_000);
}

/** The signing-key encryption key of each platform started here, by its database URL (see signingKeyEncryptionKeyFor). */
const signingKeys = new Map();

/**
 * The key the platform behind `databaseUrl` seals its signing keys with, for tests that read the
 * stored keys. @param {string} databaseUrl @returns {string}
 */
export function signingKeyEncryptionKeyFor(databaseUrl) {
  const key = signingKeys.get(databaseUrl);
  if (!key) throw new Error(`no platform of this run uses ${databaseUrl}`);
  return key;
}

/** Ready means: /readyz answers 200 and the bootstrap admin can log in. */
async function waitForPlatform(url, child, env) {
  const admin = { email: env.NP_BOOTSTRAP_ADMIN_EMAIL, password: env.NP_BOOTSTRAP_ADMIN_PASSWORD };
  await waitUntil(`the platform at ${url}`, async () => {
    const ready = await fetch(`${url}/readyz`);
    if (ready.status !== 200) return false;
    const login = await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(admin) });
    return login.status === 200;
  }, 90_000, child);
}

const execFileAsync = promisify(execFile);
async function run(command, args) {
  await execFileAsync(command, args, { cwd: ROOT });
}

function managementFetch(path, init) {
  const base = new URL(testAmqpManagementUrl());
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  return fetch(`${base.protocol}//${base.host}${path}`, { ...init, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' } });
}

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function createDatabase(name) {
  return adminQuery(`create database "${name}"`);
}

function dropDatabase(name) {
  return adminQuery(`drop database if exists "${name}" with (force)`);
}

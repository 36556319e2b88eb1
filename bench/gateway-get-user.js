// `npm run bench`: authenticated GET /v1/users/:id through the gateway, in both shapes, against a
// bare Fastify + jose + pg baseline (bench/baseline-server.js) on the same database. Each server
// runs in its own child process; the load comes from this process (autocannon), on loopback.
// See bench/README.md and docs/benchmarks.md.
//
// Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (20),
// BENCH_TARGETS (embedded,distributed), BENCH_PLATFORM_NODE_ARGS (extra node flags for the
// platform processes, e.g. --cpu-prof), plus NP_DATABASE_URL / NP_AMQP_URL / NP_AMQP_MANAGEMENT_URL
// (default: .local/servers.env, written by tools/servers-up.sh).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';

const ROOT = join(import.meta.dirname, '..');
const LOG_DIR = join(ROOT, '.local', 'bench-logs');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const TARGETS = (process.env.BENCH_TARGETS ?? 'embedded,distributed').split(',').map((s) => s.trim()).filter(Boolean);
const MAX_ERROR_RATE = 0.01;
// Extra node flags for the platform processes only, e.g. "--cpu-prof --cpu-prof-dir=.local/bench-profiles".
const PLATFORM_NODE_ARGS = (process.env.BENCH_PLATFORM_NODE_ARGS ?? '').split(' ').filter(Boolean);
const AIMS = { embedded: 0.6, distributed: 0.3 };

const ADMIN = { email: 'admin@bench.test', password: 'admin-password-bench' };
const TENANT = 'bench';
const COMMON_ENV = {
  NP_ENV: 'test',
  LOG_LEVEL: 'warn',
  NP_TENANT: TENANT,
  NP_MODULES: 'users',
  NP_RATE_LIMIT_IP_PER_MINUTE: '100000000',
  NP_RATE_LIMIT_USER_PER_MINUTE: '100000000',
  NP_BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
  NP_BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
};

// ---- cleanup registry: everything started is undone in reverse order, even on failure ----------
const cleanups = [];
const children = new Set();
async function cleanupAll() {
  while (cleanups.length > 0) {
    const { what, undo } = cleanups.pop();
    try {
      await undo();
    } catch (error) {
      console.error(`  cleanup of ${what} failed: ${error.message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    cleanupAll().finally(() => process.exit(130));
  });
}
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

const progress = (message) => console.log(`[bench] ${message}`);

// ---- child processes (adapted from test/harness/child-process.ts) ------------------------------
function startNode(name, script, env, nodeArgs = []) {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'w' });
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, script)], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  child.logFile = logFile;
  children.add(child);
  child.once('exit', () => children.delete(child));
  cleanups.push({ what: `process ${name} (pid ${child.pid})`, undo: () => stopChild(child) });
  progress(`started ${name} (pid ${child.pid}, log ${logFile.slice(ROOT.length + 1)})`);
  return child;
}

async function stopChild(child, signal = 'SIGTERM', graceMs = 10_000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

async function waitUntil(what, probe, timeoutMs = 90_000, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what}: process exited with ${child.exitCode}; see ${child.logFile}`);
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function portOpen(port) {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---- servers of tools/servers-up.sh (adapted from test/harness/platform.ts) --------------------
function serverSettings() {
  const file = join(ROOT, '.local', 'servers.env');
  const fromFile = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (match) fromFile[match[1]] = match[2];
    }
  }
  const pick = (name, fallback) => process.env[name] ?? fromFile[name] ?? fallback;
  return {
    databaseUrl: pick('NP_DATABASE_URL', 'postgresql://np:np@127.0.0.1:54320/np'),
    amqpUrl: pick('NP_AMQP_URL', 'amqp://np:np@127.0.0.1:56720/np'),
    managementUrl: pick('NP_AMQP_MANAGEMENT_URL', 'http://np:np@127.0.0.1:15673'),
  };
}

const uniqueName = (prefix) => `${prefix}_${randomBytes(4).toString('hex')}`;
function withPath(url, path) {
  const parsed = new URL(url);
  parsed.pathname = `/${path}`;
  return parsed.toString();
}

async function managementFetch(managementUrl, path, init) {
  const base = new URL(managementUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  const response = await fetch(`${base.protocol}//${base.host}${path}`, { ...init, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' } });
  if (!response.ok && response.status !== 404) throw new Error(`${init.method} ${path} answered ${response.status}`);
  return response;
}

async function adminQuery(databaseUrl, sql) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

// ---- the platform in each shape ------------------------------------------------------------------
async function waitForPlatform(url, child) {
  await waitUntil(`the platform at ${url}`, async () => {
    const ready = await fetch(`${url}/readyz`);
    if (ready.status !== 200) return false;
    const login = await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
    return login.status === 200;
  }, 120_000, child);
}

async function startEmbedded() {
  const dataDir = mkdtempSync(join(tmpdir(), 'np-bench-'));
  const port = await freePort();
  const pgPort = await freePort();
  // Runs after the platform process has exited: PostgreSQL (its grandchild) may still be shutting
  // down and writing into the folder, so wait until its port is closed, then remove with retries.
  cleanups.push({
    what: `data folder ${dataDir}`,
    undo: async () => {
      await waitUntil(`embedded PostgreSQL on ${pgPort} to stop`, async () => !(await portOpen(pgPort)), 30_000);
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  });
  const url = `http://127.0.0.1:${port}`;
  progress(`embedded: starting the platform on ${url} (embedded PostgreSQL on ${pgPort}, data in ${dataDir})`);
  const child = startNode('embedded', 'services/embedded/dist/main.js', {
    ...COMMON_ENV, PORT: String(port), NP_ISSUER: url, NP_DATA_DIR: dataDir, NP_EMBEDDED_PG_PORT: String(pgPort),
  }, PLATFORM_NODE_ARGS);
  await waitForPlatform(url, child);
  progress('embedded: ready');
  return { url, databaseUrl: `postgresql://np:np@127.0.0.1:${pgPort}/np`, processes: { gateway: child } };
}

async function startDistributed() {
  const servers = serverSettings();
  const vhost = uniqueName('bench');
  const database = uniqueName('bench');
  progress(`distributed: creating vhost ${vhost} and database ${database}`);
  await managementFetch(servers.managementUrl, `/api/vhosts/${vhost}`, { method: 'PUT', body: '{}' });
  cleanups.push({ what: `vhost ${vhost}`, undo: () => managementFetch(servers.managementUrl, `/api/vhosts/${vhost}`, { method: 'DELETE' }) });
  await managementFetch(servers.managementUrl, `/api/permissions/${vhost}/np`, { method: 'PUT', body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }) });
  await adminQuery(servers.databaseUrl, `create database "${database}"`);
  cleanups.push({ what: `database ${database}`, undo: () => adminQuery(servers.databaseUrl, `drop database if exists "${database}" with (force)`) });

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const databaseUrl = withPath(servers.databaseUrl, database);
  const env = { ...COMMON_ENV, NP_ISSUER: url, NP_AMQP_URL: withPath(servers.amqpUrl, encodeURIComponent(vhost)), NP_DATABASE_URL: databaseUrl, NP_AMQP_MANAGEMENT_URL: servers.managementUrl };
  const processes = {};
  for (const name of ['auth', 'users', 'gateway']) {
    const extra = name === 'gateway' ? { PORT: String(port) } : { NP_OPS_PORT: String(await freePort()) };
    processes[name] = startNode(`distributed-${name}`, `services/${name}/dist/main.js`, { ...env, ...extra }, PLATFORM_NODE_ARGS);
  }
  progress(`distributed: waiting for the gateway on ${url}`);
  await waitForPlatform(url, processes.gateway);
  progress('distributed: ready');
  return { url, databaseUrl, processes };
}

async function startBaseline(name, platform) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startNode(name, 'bench/baseline-server.js', {
    PORT: String(port),
    DATABASE_URL: platform.databaseUrl,
    JWKS_URL: `${platform.url}/.well-known/jwks.json`,
    ISSUER: platform.url,
    AUDIENCE: 'np-api',
    TENANT,
  });
  await waitUntil(`${name} at ${url}`, async () => (await fetch(`${url}/healthz`)).ok, 30_000, child);
  return { url, child };
}

// ---- the request under test ------------------------------------------------------------------------
async function adminSession(url) {
  const login = await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  if (login.status !== 200) throw new Error(`login answered ${login.status}: ${await login.text()}`);
  const { access_token: accessToken } = await login.json();
  if (!accessToken) throw new Error('login answered no access_token');
  const me = await fetch(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  if (me.status !== 200) throw new Error(`/v1/auth/me answered ${me.status}: ${await me.text()}`);
  const { id } = await me.json();
  return { token: accessToken, id };
}

/** One request before the load: both servers must answer 200 with the same user. */
async function checkOnce(name, url, session) {
  const response = await fetch(`${url}/v1/users/${session.id}`, { headers: { authorization: `Bearer ${session.token}` } });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${name}: GET /v1/users/:id answered ${response.status}: ${body}`);
  const user = JSON.parse(body);
  if (user.id !== session.id || user.email !== ADMIN.email) throw new Error(`${name}: unexpected body ${body}`);
  return user;
}

function load(url, session, seconds) {
  return autocannon({
    url: `${url}/v1/users/${session.id}`,
    method: 'GET',
    headers: { authorization: `Bearer ${session.token}` },
    connections: CONNECTIONS,
    duration: seconds,
  });
}

async function measure(name, url, session) {
  await checkOnce(name, url, session);
  if (WARMUP_SECONDS > 0) {
    progress(`${name}: warm-up ${WARMUP_SECONDS} s`);
    await load(url, session, WARMUP_SECONDS);
  }
  progress(`${name}: measuring ${SECONDS} s, ${CONNECTIONS} connections`);
  const result = await load(url, session, SECONDS);
  const responses = result.requests.total;
  const failures = result.non2xx + result.errors + result.timeouts;
  const row = {
    target: name,
    rps: responses / (result.duration || SECONDS),
    p50: result.latency.p50,
    p99: result.latency.p99,
    responses,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    errorRate: failures / Math.max(1, responses + result.errors + result.timeouts),
  };
  progress(`${name}: ${row.rps.toFixed(0)} req/s, p50 ${row.p50} ms, p99 ${row.p99} ms, ${row.non2xx} non-2xx, ${row.errors} errors`);
  return row;
}

async function benchShape(shape) {
  const platform = shape === 'embedded' ? await startEmbedded() : await startDistributed();
  const session = await adminSession(platform.url);
  progress(`${shape}: admin ${ADMIN.email} is ${session.id}`);
  const baselineName = `baseline-${shape}-db`;
  progress(`${baselineName}: starting bench/baseline-server.js against ${platform.databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
  const baseline = await startBaseline(baselineName, platform);
  const baselineRow = await measure(baselineName, baseline.url, session);
  await stopChild(baseline.child);
  const row = await measure(shape, platform.url, session);
  row.ratio = row.rps / baselineRow.rps;
  row.aim = AIMS[shape];
  return [baselineRow, row];
}

function printTable(rows) {
  const header = ['target', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs baseline'];
  const lines = rows.map((r) => [
    r.target,
    r.rps.toFixed(0),
    String(r.p50),
    String(r.p99),
    String(r.non2xx),
    String(r.errors),
    r.ratio === undefined ? '1.00 (baseline)' : `${r.ratio.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log('');
  console.log(format(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const line of lines) console.log(format(line));
  console.log('');
}

async function main() {
  progress(`GET /v1/users/:id; ${SECONDS} s per target after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections; targets: ${TARGETS.join(', ')}`);
  const rows = [];
  for (const shape of TARGETS) {
    if (!(shape in AIMS)) throw new Error(`unknown target ${shape} (embedded, distributed)`);
    try {
      rows.push(...(await benchShape(shape)));
    } finally {
      progress(`${shape}: stopping its processes, removing its data`);
      await cleanupAll();
    }
  }
  printTable(rows);
  let failed = false;
  for (const row of rows) {
    if (row.ratio !== undefined) {
      const met = row.ratio >= row.aim;
      console.log(`aim ${row.target} >= ${row.aim}x baseline: ${met ? 'met' : 'NOT met'} (${row.ratio.toFixed(2)}x)`);
    }
    if (row.errorRate > MAX_ERROR_RATE) {
      console.error(`FAIL ${row.target}: ${(row.errorRate * 100).toFixed(2)}% errors (non-2xx ${row.non2xx}, errors ${row.errors}) > ${MAX_ERROR_RATE * 100}%`);
      failed = true;
    }
  }
  if (failed) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  console.error(`[bench] failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}

// `npm run bench`: authenticated GET /v1/users/:id through the gateway, in both shapes, against a
// bare Fastify + jose + pg baseline (bench/baseline-server.js) on the same database. Each server
// runs in its own child process; the load comes from this process (autocannon), on loopback.
// See bench/README.md and docs/benchmarks.md.
//
// Each shape runs BENCH_ROUNDS rounds (3) of baseline, cached baseline (it remembers verified tokens
// as the platform does) and platform, all servers up throughout, so
// a slow spell of the machine hits both; the table shows per-target medians and the median of the
// per-round ratios.
//
// Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (20), BENCH_ROUNDS (3),
// BENCH_TARGETS (embedded,distributed), BENCH_PLATFORM_NODE_ARGS (extra node flags for the
// platform processes, e.g. --cpu-prof), plus NP_DATABASE_URL / NP_AMQP_URL / NP_AMQP_MANAGEMENT_URL
// (`npm run bench` reads them from .local/servers.env, written by tools/servers-up.sh).
// The platform is started by the e2e suite's harness (test/harness), so both run it the same way.
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ROOT, startNode, stopChild, waitUntil } from '../test/harness/child-process.js';
import { freePort } from '../test/harness/free-port.js';
import { ADMIN, startPlatform } from '../test/harness/platform.js';

const LOG_DIR = join(ROOT, '.local', 'bench-logs');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGETS = (process.env.BENCH_TARGETS ?? 'embedded,distributed').split(',').map((s) => s.trim()).filter(Boolean);
const MAX_ERROR_RATE = 0.01;
// Extra node flags for the platform processes only, e.g. "--cpu-prof --cpu-prof-dir=.local/bench-profiles".
const PLATFORM_NODE_ARGS = (process.env.BENCH_PLATFORM_NODE_ARGS ?? '').split(' ').filter(Boolean);
const AIMS = { embedded: 0.6, distributed: 0.3 };

const TENANT = 'bench';
const PLATFORM_OPTIONS = {
  env: {
    LOG_LEVEL: 'warn',
    NP_TENANT: TENANT,
    NP_RPC_TIMEOUT_MS: '5000',
    NP_RATE_LIMIT_IP_PER_MINUTE: '100000000',
    NP_RATE_LIMIT_USER_PER_MINUTE: '100000000',
  },
  nodeArgs: PLATFORM_NODE_ARGS,
  logDir: LOG_DIR,
};

// ---- cleanup registry: everything started is undone in reverse order, even on failure ----------
const cleanups = [];
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

const progress = (message) => console.log(`[bench] ${message}`);

// ---- the platform (test/harness) and its baseline ----------------------------------------------
async function startShape(shape) {
  progress(`${shape}: starting the platform (logs in ${LOG_DIR.slice(ROOT.length + 1)})`);
  const platform = await startPlatform(shape, PLATFORM_OPTIONS);
  cleanups.push({ what: `the ${shape} platform`, undo: () => platform.close() });
  progress(`${shape}: ready at ${platform.url}`);
  return platform;
}

async function startBaseline(name, platform, tokenCache) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startNode(name, 'bench/baseline-server.js', {
    PORT: String(port),
    DATABASE_URL: platform.databaseUrl,
    JWKS_URL: `${platform.url}/.well-known/jwks.json`,
    ISSUER: platform.url,
    AUDIENCE: 'np-api',
    TENANT,
    TOKEN_CACHE: tokenCache ? '1' : '0',
  }, { logDir: LOG_DIR });
  cleanups.push({ what: `process ${name}`, undo: () => stopChild(child) });
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
  const platform = await startShape(shape);
  const session = await adminSession(platform.url);
  progress(`${shape}: admin ${ADMIN.email} is ${session.id}`);
  const baselineName = `baseline-${shape}-db`;
  const cachedName = `${baselineName}-cached`;
  progress(`${baselineName}, ${cachedName}: starting bench/baseline-server.js against ${platform.databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
  const baseline = await startBaseline(baselineName, platform, false);
  const cached = await startBaseline(cachedName, platform, true);
  const runs = { baseline: [], cached: [], platform: [] };
  for (let round = 1; round <= ROUNDS; round += 1) {
    progress(`${shape}: round ${round} of ${ROUNDS}`);
    runs.baseline.push(await measure(baselineName, baseline.url, session));
    runs.cached.push(await measure(cachedName, cached.url, session));
    runs.platform.push(await measure(shape, platform.url, session));
  }
  const ratios = (against) => runs.platform.map((run, index) => run.rps / against[index].rps);
  const baselineRow = medianRow(baselineName, runs.baseline);
  const cachedRow = medianRow(cachedName, runs.cached);
  const row = medianRow(shape, runs.platform);
  row.ratio = median(ratios(runs.baseline));
  row.ratioCached = median(ratios(runs.cached));
  row.ratios = ratios(runs.cached);
  row.aim = AIMS[shape];
  return [baselineRow, cachedRow, row];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The medians of a target's rounds; errors are summed, so none hides behind a median. */
function medianRow(target, runs) {
  return {
    target,
    rps: median(runs.map((run) => run.rps)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    responses: runs.reduce((sum, run) => sum + run.responses, 0),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    errorRate: Math.max(...runs.map((run) => run.errorRate)),
  };
}

function printTable(rows) {
  const header = ['target', 'requests/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'vs baseline', 'vs cached baseline'];
  const lines = rows.map((r) => [
    r.target,
    r.rps.toFixed(0),
    String(r.p50),
    String(r.p99),
    String(r.non2xx),
    String(r.errors),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.ratioCached === undefined ? '' : `${r.ratioCached.toFixed(2)}x`,
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
  progress(`GET /v1/users/:id; ${ROUNDS} rounds of ${SECONDS} s per target after ${WARMUP_SECONDS} s warm-up, ${CONNECTIONS} connections; targets: ${TARGETS.join(', ')}`);
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
      // The aims are set against the bare baseline; the cached one shows what remains once both
      // skip the repeated signature check.
      const met = row.ratio >= row.aim;
      console.log(
        `aim ${row.target} >= ${row.aim}x baseline: ${met ? 'met' : 'NOT met'} (median ${row.ratio.toFixed(2)}x); ` +
          `vs the cached baseline ${row.ratioCached.toFixed(2)}x (rounds ${row.ratios.map((ratio) => `${ratio.toFixed(2)}x`).join(', ')})`,
      );
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

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
import { ROOT, startNode, stopChild, waitUntil } from '../test/harness/child-process.js';
import { freePort } from '../test/harness/free-port.js';
import { ADMIN, startPlatform } from '../test/harness/platform.js';
import { cleanupAll, compareRuns, loginSession, measure, onCleanup, printTable, progress, reportRows } from './support.js';

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

// ---- the platform (test/harness) and its baseline ----------------------------------------------
async function startShape(shape) {
  progress(`${shape}: starting the platform (logs in ${LOG_DIR.slice(ROOT.length + 1)})`);
  const platform = await startPlatform(shape, PLATFORM_OPTIONS);
  onCleanup(`the ${shape} platform`, () => platform.close());
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
  onCleanup(`process ${name}`, () => stopChild(child));
  await waitUntil(`${name} at ${url}`, async () => (await fetch(`${url}/healthz`)).ok, 30_000, child);
  return { url, child };
}

const LOAD = { seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS };

async function benchShape(shape) {
  const platform = await startShape(shape);
  const session = await loginSession({ url: platform.url }, ADMIN);
  progress(`${shape}: admin ${ADMIN.email} is ${session.id}`);
  const baselineName = `baseline-${shape}-db`;
  const cachedName = `${baselineName}-cached`;
  progress(`${baselineName}, ${cachedName}: starting bench/baseline-server.js against ${platform.databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
  const baseline = await startBaseline(baselineName, platform, false);
  const cached = await startBaseline(cachedName, platform, true);
  const runs = { baseline: [], cached: [], platform: [] };
  for (let round = 1; round <= ROUNDS; round += 1) {
    progress(`${shape}: round ${round} of ${ROUNDS}`);
    runs.baseline.push(await measure(baselineName, { url: baseline.url }, session, LOAD));
    runs.cached.push(await measure(cachedName, { url: cached.url }, session, LOAD));
    runs.platform.push(await measure(shape, { url: platform.url }, session, LOAD));
  }
  const rows = compareRuns({ baseline: baselineName, cached: cachedName, platform: shape }, runs);
  rows[2].aim = AIMS[shape];
  return rows;
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
  const failed = reportRows(rows, MAX_ERROR_RATE);
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

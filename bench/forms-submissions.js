// `npm run bench` (forms): submissions per second through the gateway for a published 30-field
// form with conditional logic (bench/forms-definition.js), in each shape, against a baseline in
// the same run on the same database: bare Fastify + ajv + one pg INSERT
// (bench/forms-baseline-server.js). Each round measures the baseline, then the platform, with the
// same connections and duration; the table shows medians and the median of the per-round ratios
// (aim ≥ 0.5×), with p99.
//
// Environment: BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (20), BENCH_ROUNDS (3),
// BENCH_TARGETS (embedded,distributed), BENCH_PLATFORM_NODE_ARGS (extra node flags for the
// platform processes, e.g. `--cpu-prof --cpu-prof-dir=.local/bench-profiles`), and the servers of
// .local/servers.env.
import { join } from 'node:path';
import autocannon from 'autocannon';
import { ROOT, startNode, stopChild, waitUntil } from '../test/harness/child-process.js';
import { freePort } from '../test/harness/free-port.js';
import { ADMIN, startPlatform } from '../test/harness/platform.js';
import { dataSchema, submission, uiSchema } from './forms-definition.js';
import { cleanupAll, median, onCleanup, progress } from './support.js';

const LOG_DIR = join(ROOT, '.local', 'bench-logs');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const TARGETS = (process.env.BENCH_TARGETS ?? 'embedded,distributed').split(',').map((s) => s.trim()).filter(Boolean);
const PLATFORM_NODE_ARGS = (process.env.BENCH_PLATFORM_NODE_ARGS ?? '').split(' ').filter(Boolean);
const AIM = 0.5;
const MAX_ERROR_RATE = 0.01;
const BODY = JSON.stringify({ data: submission });

async function json(response) {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${text}`);
  return JSON.parse(text);
}

async function publishForm(url) {
  const login = await json(await fetch(`${url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) }));
  const headers = { authorization: `Bearer ${login.access_token}`, 'content-type': 'application/json' };
  const form = await json(await fetch(`${url}/v1/forms`, { method: 'POST', headers, body: JSON.stringify({ name: 'Benchmark form', dataSchema, uiSchema, settings: { access: 'authenticated' } }) }));
  await json(await fetch(`${url}/v1/forms/${form.id}/versions`, { method: 'POST', headers: { authorization: headers.authorization } }));
  // One submission first: it must be accepted as the load will send it.
  const first = await json(await fetch(`${url}/v1/forms/${form.id}/submissions`, { method: 'POST', headers, body: BODY }));
  if (first.version !== 1) throw new Error(`unexpected submission ${JSON.stringify(first)}`);
  return { path: `/v1/forms/${form.id}/submissions`, headers };
}

async function load(url, headers, seconds) {
  const result = await autocannon({ url, method: 'POST', headers, body: BODY, connections: CONNECTIONS, duration: seconds });
  const failures = result.non2xx + result.errors + result.timeouts;
  return { rps: result.requests.total / (result.duration || seconds), p99: result.latency.p99, responses: result.requests.total, failures, errorRate: failures / Math.max(1, result.requests.total + result.errors + result.timeouts) };
}

async function benchShape(shape) {
  progress(`${shape}: starting the platform`);
  const platform = await startPlatform(shape, {
    env: { LOG_LEVEL: 'warn', NP_MODULES: 'users,form-builder', NP_RATE_LIMIT_IP_PER_MINUTE: '100000000', NP_RATE_LIMIT_USER_PER_MINUTE: '100000000' },
    logDir: LOG_DIR,
    nodeArgs: PLATFORM_NODE_ARGS,
  });
  onCleanup(`the ${shape} platform`, () => platform.close());
  const { path, headers } = await publishForm(platform.url);
  const port = await freePort();
  const baselineUrl = `http://127.0.0.1:${port}`;
  const child = startNode(`forms-baseline-${shape}`, 'bench/forms-baseline-server.js', { PORT: String(port), DATABASE_URL: platform.databaseUrl }, { logDir: LOG_DIR });
  onCleanup(`the ${shape} forms baseline`, () => stopChild(child));
  await waitUntil(`forms baseline at ${baselineUrl}`, async () => (await fetch(`${baselineUrl}/healthz`)).ok, 30_000, child);
  const targets = { baseline: { url: `${baselineUrl}/submissions`, headers: { 'content-type': 'application/json' } }, platform: { url: `${platform.url}${path}`, headers } };
  if (WARMUP_SECONDS > 0) {
    progress(`${shape}: warm-up ${WARMUP_SECONDS} s each`);
    for (const target of Object.values(targets)) await load(target.url, target.headers, WARMUP_SECONDS);
  }
  const runs = { baseline: [], platform: [] };
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [name, target] of Object.entries(targets)) {
      const run = await load(target.url, target.headers, SECONDS);
      runs[name].push(run);
      progress(`${shape} round ${round}: ${name} ${run.rps.toFixed(0)} submissions/s, p99 ${run.p99} ms, ${run.failures} failed`);
    }
  }
  const ratios = runs.platform.map((run, index) => run.rps / runs.baseline[index].rps);
  return {
    shape,
    baseline: { rps: median(runs.baseline.map((run) => run.rps)), p99: median(runs.baseline.map((run) => run.p99)), errorRate: Math.max(...runs.baseline.map((run) => run.errorRate)) },
    platform: { rps: median(runs.platform.map((run) => run.rps)), p99: median(runs.platform.map((run) => run.p99)), errorRate: Math.max(...runs.platform.map((run) => run.errorRate)) },
    ratio: median(ratios),
    ratios,
  };
}

async function main() {
  console.log(`forms submissions: a 30-field form with a UI rule and an if/then, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${SECONDS} s`);
  const results = [];
  for (const shape of TARGETS) {
    results.push(await benchShape(shape));
    await cleanupAll();
  }
  console.log('\n| shape | baseline (ajv + pg) submissions/s | baseline p99 ms | gateway submissions/s | gateway p99 ms | ratio (aim ≥ 0.5×) |\n| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.shape} | ${r.baseline.rps.toFixed(0)} | ${r.baseline.p99} | ${r.platform.rps.toFixed(0)} | ${r.platform.p99} | ${r.ratio.toFixed(2)}× (rounds ${r.ratios.map((ratio) => ratio.toFixed(2)).join(', ')}) |`);
  }
  const missed = results.filter((r) => r.ratio < AIM).map((r) => r.shape);
  if (missed.length > 0) console.log(`\naim ≥ ${AIM}× NOT met in: ${missed.join(', ')} (see docs/benchmarks.md)`);
  const failed = results.filter((r) => r.platform.errorRate > MAX_ERROR_RATE || r.baseline.errorRate > MAX_ERROR_RATE);
  if (failed.length > 0) {
    console.error(`more than ${MAX_ERROR_RATE * 100}% failed requests in: ${failed.map((r) => r.shape).join(', ')}`);
    process.exitCode = 1;
  }
}

try {
  await main();
} finally {
  await cleanupAll();
}

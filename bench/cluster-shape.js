// `npm run bench` (as root, with the real node): the cluster shape, on the node of tools/cluster-up.sh
// with the platform installed by tools/platform-install.sh.
//   1. From `kubectl apply` of a new Tenant to its first successful login through the ingress, for
//      BENCH_STARTUP_TENANTS (5) Tenants one after another: each figure, and the median.
//   2. The authenticated GET /v1/users/:id through the ingress (Traefik -> gateway pod -> bus -> users
//      pod -> the tenant's database) against bench/baseline-server.js on the host doing the same
//      query on the same database with the same token checks (the tenant's realm keys), as
//      bench/gateway-get-user.js does for the other shapes: BENCH_ROUNDS rounds, medians, ratios.
// Every Tenant it creates has deletionPolicy Delete and is deleted at the end, also on failure.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, startNode, stopChild, waitUntil } from '../test/harness/child-process.js';
import { freePort } from '../test/harness/free-port.js';
import { ingressFetch } from '../test/harness/ingress-fetch.js';
import { cleanupAll, compareRuns, loginSession, measure, median, onCleanup, printTable, progress, reportRows } from './support.js';

const LOG_DIR = join(ROOT, '.local', 'bench-logs');
const LOAD = {
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
  warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 2),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 20),
};
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const STARTUP_TENANTS = Number(process.env.BENCH_STARTUP_TENANTS ?? 5);
const MAX_ERROR_RATE = 0.01;
const INGRESS_URL = process.env.NP_INGRESS_URL;
const STARTUP_TIMEOUT_MS = 300_000;

const kubectl = (args, input) =>
  execFileSync(process.env.NP_KUBECTL, ['--kubeconfig', process.env.KUBECONFIG, ...args], { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] });

/** Every host name to the ingress controller, so requests carry the tenant's host. */
const viaIngress = INGRESS_URL ? ingressFetch(INGRESS_URL) : fetch;

function tenantManifest(name, extra = {}) {
  return JSON.stringify({
    apiVersion: 'platform.np.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name },
    spec: {
      adminEmail: `admin@${name}.example.com`,
      modules: [{ name: 'users' }],
      ingress: { host: `${name}.example.com` },
      deletionPolicy: 'Delete',
      ...extra,
    },
  });
}

function secretValues(namespace, name) {
  const secret = JSON.parse(kubectl(['-n', namespace, 'get', 'secret', name, '-o', 'json']));
  return Object.fromEntries(Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

function applyTenant(name, extra) {
  kubectl(['apply', '-f', '-'], tenantManifest(name, extra));
  onCleanup(`Tenant ${name}`, () => deleteTenant(name));
}

async function deleteTenant(name) {
  kubectl(['delete', 'tenant', name, '--ignore-not-found', '--wait=true', '--timeout=180s']);
}

/** Tries to log in as the tenant's initial admin through the ingress until it works. */
async function firstLogin(name) {
  const target = { url: INGRESS_URL, host: `${name}.example.com`, fetch: viaIngress };
  let session;
  await waitUntil(`the first login to ${name}`, async () => {
    let admin;
    try {
      admin = secretValues(`tenant-${name}`, 'initial-admin');
    } catch {
      return false;
    }
    try {
      session = await loginSession(target, { email: admin.email, password: admin.password });
      return true;
    } catch {
      return false;
    }
  }, STARTUP_TIMEOUT_MS);
  return { target, session };
}

async function measureStartup() {
  const seconds = [];
  for (let index = 1; index <= STARTUP_TENANTS; index += 1) {
    const name = `bench-start-${index}`;
    const started = performance.now();
    applyTenant(name);
    await firstLogin(name);
    seconds.push((performance.now() - started) / 1000);
    progress(`${name}: applied to first login in ${seconds.at(-1).toFixed(1)} s; deleting it`);
    await deleteTenant(name);
  }
  return seconds;
}

async function startBaseline(name, tenant, tokenCache) {
  const users = secretValues(`tenant-${tenant}`, 'users-connections');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startNode(name, 'bench/baseline-server.js', {
    PORT: String(port),
    DATABASE_URL: users.NP_DATABASE_URL,
    JWKS_URL: users.NP_JWKS_URL,
    ISSUER: users.NP_ISSUER,
    AUDIENCE: 'gateway',
    TENANT: tenant,
    TOKEN_CACHE: tokenCache ? '1' : '0',
  }, { logDir: LOG_DIR });
  onCleanup(`process ${name}`, () => stopChild(child));
  await waitUntil(`${name} at ${url}`, async () => (await fetch(`${url}/healthz`)).ok, 30_000, child);
  return { url };
}

async function measureRequests() {
  const tenant = 'bench-get';
  applyTenant(tenant, { rateLimits: { perAddressPerMinute: 10_000_000, perUserPerMinute: 10_000_000 } });
  const { target, session } = await firstLogin(tenant);
  progress(`${tenant}: serving through ${INGRESS_URL} as ${target.host}; admin ${session.email} is ${session.id}`);
  const names = { baseline: 'baseline-cluster-db', cached: 'baseline-cluster-db-cached', platform: 'cluster (ingress)' };
  const baseline = await startBaseline(names.baseline, tenant, false);
  const cached = await startBaseline(names.cached, tenant, true);
  const runs = { baseline: [], cached: [], platform: [] };
  for (let round = 1; round <= ROUNDS; round += 1) {
    progress(`cluster: round ${round} of ${ROUNDS}`);
    runs.baseline.push(await measure(names.baseline, baseline, session, LOAD));
    runs.cached.push(await measure(names.cached, cached, session, LOAD));
    runs.platform.push(await measure(names.platform, target, session, LOAD));
  }
  return compareRuns(names, runs);
}

async function main() {
  if (process.env.NP_CLUSTER_NODE_KIND !== 'real' || !INGRESS_URL) throw new Error('needs the real node: npm run cluster:up (as root) and .local/cluster.env');
  progress(`startup: ${STARTUP_TENANTS} Tenants, each from kubectl apply to its first login through the ingress`);
  const startup = await measureStartup();
  progress(`GET /v1/users/:id through the ingress; ${ROUNDS} rounds of ${LOAD.seconds} s per target after ${LOAD.warmupSeconds} s warm-up, ${LOAD.connections} connections`);
  const rows = await measureRequests();
  if (startup.length > 0) console.log(`\nkubectl apply to first login: p50 ${median(startup).toFixed(1)} s (${startup.map((value) => `${value.toFixed(1)} s`).join(', ')})`);
  printTable(rows);
  if (reportRows(rows, MAX_ERROR_RATE)) process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  console.error(`[bench] failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}

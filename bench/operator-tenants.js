// `npm run bench:operator`: Tenants of 5 modules created at once on the local control plane
// (tools/cluster-up.sh), each provisioned end to end on the servers of tools/servers-up.sh (its
// vhost, database, bucket and realm), against two baselines measured in the same run on the very
// Kubernetes objects the operator writes for those Tenants (Secrets included): `kubectl apply
// --server-side` of them all (one request at a time), and server-side apply at the operator's
// concurrency (its workers, each applying one Tenant's objects at once: the API server's own
// floor). Prints time to Ready (p50, p99, total) for each, the ratios, API writes and requests to
// each server per Tenant, the operator's memory per Tenant, and what a full resync of converged
// Tenants writes (must be zero, to the API server and to every server). See docs/benchmarks.md.
//
// Environment: BENCH_TENANTS (20), BENCH_OPERATOR_CONCURRENCY (4), plus KUBECONFIG and NP_KUBECTL
// (.local/cluster.env) and the servers' NP_* (.local/servers.env); `npm run bench:operator` reads both.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import {
  NAMESPACE_KIND,
  OWNED_NAMESPACED_KINDS,
  ObjectWriter,
  completeCredentials,
  identitySpec,
  infrastructureSettingsFrom,
  operatorSettingsSchema,
  planSecrets,
  planTenant,
  renderCredentialsSecret,
  renderTenant,
} from '@np/operator';
import { stringify } from 'yaml';
import { ROOT, startNode, stopChild, waitUntil } from '../test/harness/child-process.js';
import { freePort } from '../test/harness/free-port.js';
import { scrape, sumSamples } from '../test/harness/prometheus.js';

const COUNT = Number(process.env.BENCH_TENANTS ?? 20);
const CONCURRENCY = process.env.BENCH_OPERATOR_CONCURRENCY ?? '4';
const KUBECONFIG = resolve(ROOT, process.env.KUBECONFIG ?? '.local/kubeconfig');
const KUBECTL = process.env.NP_KUBECTL;
if (!KUBECTL) throw new Error('NP_KUBECTL is not set: run `npm run bench:operator`, which reads .local/cluster.env');
if (!process.env.NP_KEYCLOAK_URL) throw new Error('the servers are not set (NP_KEYCLOAK_URL...): run `npm run bench:operator`, which reads .local/servers.env');
const SERVERS = infrastructureSettingsFrom(operatorSettingsSchema.parse(process.env)).servers;
const SERVER_KINDS = ['messaging', 'database', 'objectStore', 'identity'];
const LOG_DIR = join(ROOT, '.local', 'bench-logs');
const MODULES = ['users', 'files', 'form-builder', 'reports', 'backoffice'];
const TENANTS = { group: 'platform.np.dev', version: 'v1alpha1', plural: 'tenants' };
const RENDER_SETTINGS = { imageRegistry: 'registry.bench/np', defaultImageTag: '1.0.0', namespacePrefix: 'tenant-', keda: false, scalerPollingSeconds: 2, coldStartMs: 30000 };

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(KUBECONFIG);
const core = kubeConfig.makeApiClient(CoreV1Api);
const apps = kubeConfig.makeApiClient(AppsV1Api);
const custom = kubeConfig.makeApiClient(CustomObjectsApi);

const log = (message) => console.log(`[bench] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const names = (prefix) => Array.from({ length: COUNT }, (_, index) => `${prefix}-${String(index).padStart(3, '0')}`);
const spec = (name) => ({ adminEmail: `admin@${name}.bench.example`, deletionPolicy: 'Delete', modules: MODULES.map((module) => ({ name: module })) });

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(0, 2000)}`))));
  });
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(readyAtMs) {
  const sorted = [...readyAtMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), total: sorted.at(-1) };
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function installCrd() {
  await run(KUBECTL, ['--kubeconfig', KUBECONFIG, 'apply', '--server-side', '--force-conflicts', '--field-manager', 'np-bench', '-f', join(ROOT, 'crds/platform.np.dev_tenants.yaml')]);
  await waitUntil('the Tenant CRD', async () => {
    const list = await custom.listClusterCustomObject(TENANTS);
    return Array.isArray(list.items);
  }, 30_000);
}

/** A namespace's module Deployments are all there, current and running their minimum. */
function tenantReady(deployments, expected) {
  if (deployments.length !== expected) return false;
  return deployments.every(
    (deployment) =>
      deployment.status?.observedGeneration === deployment.metadata?.generation &&
      (deployment.status?.readyReplicas ?? 0) >= Math.max(1, deployment.spec?.replicas ?? 1),
  );
}

/** Polls every Deployment in the cluster and records when each tenant's namespace became ready. */
async function waitForNamespacesReady(tenantNames, started) {
  const readyAt = new Map();
  const expected = MODULES.length + 2;
  while (readyAt.size < tenantNames.length) {
    const { items } = await apps.listDeploymentForAllNamespaces({});
    const byNamespace = Map.groupBy(items, (item) => item.metadata.namespace);
    for (const name of tenantNames) {
      if (readyAt.has(name)) continue;
      if (tenantReady(byNamespace.get(`tenant-${name}`) ?? [], expected)) readyAt.set(name, Date.now() - started);
    }
    await sleep(250);
  }
  return [...readyAt.values()];
}

async function waitForTenantsReady(tenantNames, started) {
  const readyAt = new Map();
  while (readyAt.size < tenantNames.length) {
    const { items } = await custom.listClusterCustomObject(TENANTS);
    for (const tenant of items) {
      const name = tenant.metadata.name;
      if (readyAt.has(name) || !tenantNames.includes(name)) continue;
      const ready = tenant.status?.conditions?.find((condition) => condition.type === 'Ready');
      if (ready?.status === 'True' && tenant.status.observedGeneration === tenant.metadata.generation) readyAt.set(name, Date.now() - started);
    }
    await sleep(250);
  }
  return [...readyAt.values()];
}

async function deleteNamespaces(tenantNames) {
  await Promise.all(tenantNames.map((name) => core.deleteNamespace({ name: `tenant-${name}` }).catch(() => undefined)));
  await waitUntil('baseline namespaces deleted', async () => {
    const { items } = await core.listNamespace({});
    return !items.some((namespace) => tenantNames.some((name) => namespace.metadata.name === `tenant-${name}`));
  }, 600_000);
}

async function deleteTenants(tenantNames) {
  await Promise.all(tenantNames.map((name) => custom.deleteClusterCustomObject({ ...TENANTS, name }).catch(() => undefined)));
  await waitUntil('tenants deleted', async () => {
    const { items } = await custom.listClusterCustomObject(TENANTS);
    return !items.some((tenant) => tenantNames.includes(tenant.metadata.name));
  }, 600_000);
}

// ---- baselines: the objects the operator writes, applied server-side ----------------------------------

/**
 * Per Tenant, the objects the operator writes once it has converged: the namespace, everything in
 * it, and its Secrets (credentials, one connections Secret per module, initial-admin) rendered by
 * the operator's own functions from freshly generated credentials. No Tenant exists in a baseline,
 * so no owner references: the garbage collector would delete orphans.
 */
function baselineObjects(tenantNames) {
  const all = ['messaging', 'database', 'objectStore', 'identity'].map((kind) => [kind, { ok: true, message: 'baseline' }]);
  const report = Object.fromEntries(all);
  const strip = (object) => ({ ...object, metadata: { ...object.metadata, ownerReferences: undefined } });
  return tenantNames.map((name) => {
    const tenant = { apiVersion: 'platform.np.dev/v1alpha1', kind: 'Tenant', metadata: { name, uid: 'none' }, spec: spec(name) };
    const plan = planTenant(tenant, RENDER_SETTINGS);
    const desired = renderTenant(plan);
    const { credentials } = completeCredentials(new Map());
    const identity = identitySpec(plan, credentials, SERVERS.identity);
    const secrets = [renderCredentialsSecret(plan, credentials), ...planSecrets(plan, credentials, report, SERVERS, identity, () => false).render.map(({ secret }) => secret)];
    return { name, namespace: strip(desired.namespace), namespaced: [...secrets, ...desired.namespaced].map(strip) };
  });
}

/** Baseline 1: one `kubectl apply --server-side` of every object, which sends them one at a time. */
async function kubectlBaseline() {
  const tenants = baselineObjects(names('bb'));
  const documents = [...tenants.map((tenant) => tenant.namespace), ...tenants.flatMap((tenant) => tenant.namespaced)];
  mkdirSync(LOG_DIR, { recursive: true });
  const file = join(LOG_DIR, 'baseline-objects.yaml');
  writeFileSync(file, documents.map((document) => stringify(JSON.parse(JSON.stringify(document)))).join('---\n'));
  log(`baseline 1: kubectl apply --server-side of ${documents.length} objects (${documents.length / COUNT} per tenant)`);
  const started = Date.now();
  await run(KUBECTL, ['--kubeconfig', KUBECONFIG, 'apply', '--server-side', '--field-manager', 'np-bench', '-f', file]);
  const appliedMs = Date.now() - started;
  const readyAt = await waitForNamespacesReady(tenants.map((tenant) => tenant.name), started);
  const result = { ...summary(readyAt), appliedMs, requestsPerTenant: documents.length / COUNT };
  log(`baseline 1: applied in ${seconds(appliedMs)}, all ready in ${seconds(result.total)}`);
  await deleteNamespaces(tenants.map((tenant) => tenant.name));
  return result;
}

/**
 * Baseline 2: the same objects by server-side apply at the operator's concurrency: as many workers
 * as the operator has, each taking a Tenant, applying its namespace, then all its objects at once
 * (as a reconcile does), with one field manager. No caches, no status, no servers: the floor the
 * API server and the controllers behind it set.
 */
async function concurrentBaseline() {
  const tenants = baselineObjects(names('bc'));
  const writer = new ObjectWriter(kubeConfig, 'np-bench-ssa', [NAMESPACE_KIND, ...OWNED_NAMESPACED_KINDS]);
  const queue = [...tenants];
  let requests = 0;
  log(`baseline 2: server-side apply of the same objects, ${CONCURRENCY} Tenants at a time`);
  const started = Date.now();
  const worker = async () => {
    for (let tenant = queue.shift(); tenant; tenant = queue.shift()) {
      await writer.apply(tenant.namespace);
      await Promise.all(tenant.namespaced.map((object) => writer.apply(object)));
      requests += 1 + tenant.namespaced.length;
    }
  };
  await Promise.all(Array.from({ length: Number(CONCURRENCY) }, worker));
  const appliedMs = Date.now() - started;
  const readyAt = await waitForNamespacesReady(tenants.map((tenant) => tenant.name), started);
  const result = { ...summary(readyAt), appliedMs, requestsPerTenant: requests / COUNT };
  log(`baseline 2: applied in ${seconds(appliedMs)}, all ready in ${seconds(result.total)}`);
  await deleteNamespaces(tenants.map((tenant) => tenant.name));
  return result;
}

// ---- the operator -------------------------------------------------------------------------------
async function metrics(port) {
  const text = await scrape(port);
  return { sum: (name, labels) => (labels ? sumLabelled(text, name, labels) : sumSamples(text, name)) };
}

/** The sum of a metric's samples carrying every one of `labels`. */
function sumLabelled(text, name, labels) {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && wanted.every((label) => line.slice(0, line.indexOf('}')).includes(label)))
    .reduce((total, line) => total + Number(line.split(' ').pop()), 0);
}

/** Requests each server received, from the operator's np_operator_server_requests_total. */
function serverRequests(sample) {
  return Object.fromEntries(
    SERVER_KINDS.map((kind) => [kind, { reads: sample.sum('np_operator_server_requests_total', { kind, access: 'read' }), writes: sample.sum('np_operator_server_requests_total', { kind, access: 'write' }) }]),
  );
}

async function startOperator(name) {
  const port = await freePort();
  const child = startNode(name, 'operator/dist/main.js', {
    KUBECONFIG,
    NP_OPS_PORT: String(port),
    LOG_LEVEL: 'warn',
    NP_OPERATOR_LEADER_ELECT: 'false',
    NP_OPERATOR_CONCURRENCY: CONCURRENCY,
    NP_OPERATOR_IMAGE_REGISTRY: RENDER_SETTINGS.imageRegistry,
    NP_OPERATOR_IMAGE_TAG: RENDER_SETTINGS.defaultImageTag,
  }, { logDir: LOG_DIR });
  await waitUntil(`${name} ready`, async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok, 60_000, child);
  return { child, port };
}

async function operator() {
  const tenantNames = names('bo');
  const first = await startOperator('operator-bench');
  await sleep(2000);
  const idle = await metrics(first.port);
  const rssBefore = idle.sum('process_resident_memory_bytes');
  const heapBefore = idle.sum('nodejs_heap_size_used_bytes');

  log(`operator: creating ${COUNT} Tenants of ${MODULES.length} modules at once (concurrency ${CONCURRENCY}), each provisioned on the four servers`);
  const started = Date.now();
  await Promise.all(tenantNames.map((name) => custom.createClusterCustomObject({ ...TENANTS, body: { apiVersion: 'platform.np.dev/v1alpha1', kind: 'Tenant', metadata: { name }, spec: spec(name) } })));
  const readyAt = await waitForTenantsReady(tenantNames, started);
  const result = summary(readyAt);
  log(`operator: all Ready in ${seconds(result.total)}`);

  await sleep(3000); // let the last status writes and watch events settle
  const busy = await metrics(first.port);
  result.writesPerTenant = busy.sum('np_operator_api_writes_total') / COUNT;
  result.rssPerTenantKiB = (busy.sum('process_resident_memory_bytes') - rssBefore) / COUNT / 1024;
  result.heapPerTenantKiB = (busy.sum('nodejs_heap_size_used_bytes') - heapBefore) / COUNT / 1024;
  result.rssMiB = busy.sum('process_resident_memory_bytes') / 2 ** 20;
  result.servers = serverRequests(busy);
  result.reconciles = busy.sum('controller_runtime_reconcile_total');
  await stopChild(first.child);

  log('operator: restarting it for a full resync of the converged Tenants');
  const second = await startOperator('operator-bench-resync');
  await waitUntil('every Tenant reconciled after the restart', async () => (await metrics(second.port)).sum('controller_runtime_reconcile_total') >= COUNT, 120_000, second.child);
  await sleep(2000);
  const after = await metrics(second.port);
  result.resyncReconciles = after.sum('controller_runtime_reconcile_total');
  result.resyncWrites = after.sum('np_operator_api_writes_total');
  result.resyncServers = serverRequests(after);

  log('operator: deleting the Tenants');
  await deleteTenants(tenantNames);
  await stopChild(second.child);
  return result;
}

await installCrd();
const base1 = await kubectlBaseline();
const base2 = await concurrentBaseline();
const op = await operator();
const perTenant = (value) => (value / COUNT).toFixed(1);

console.log('');
console.log(`Tenants: ${COUNT} x (gateway, auth + ${MODULES.length} modules) = ${COUNT * (MODULES.length + 2)} Deployments; the operator also provisions each on RabbitMQ, PostgreSQL, versitygw and Keycloak`);
console.log('| target | p50 to Ready | p99 to Ready | total | API writes per Tenant |');
console.log('| --- | --- | --- | --- | --- |');
console.log(`| baseline 1: kubectl apply --server-side (one at a time) | ${seconds(base1.p50)} | ${seconds(base1.p99)} | ${seconds(base1.total)} | ${base1.requestsPerTenant} |`);
console.log(`| baseline 2: server-side apply, ${CONCURRENCY} Tenants at a time | ${seconds(base2.p50)} | ${seconds(base2.p99)} | ${seconds(base2.total)} | ${base2.requestsPerTenant} |`);
console.log(`| operator, servers included | ${seconds(op.p50)} | ${seconds(op.p99)} | ${seconds(op.total)} | ${op.writesPerTenant.toFixed(1)} |`);
console.log('');
console.log(`operator total / baseline 1: ${(op.total / base1.total).toFixed(2)}x; / baseline 2: ${(op.total / base2.total).toFixed(2)}x`);
console.log(`reconciles until all Ready: ${op.reconciles} (${perTenant(op.reconciles)} per Tenant)`);
console.log('| server | reads per Tenant | writes per Tenant | no-op resync: reads per Tenant | no-op resync: writes |');
console.log('| --- | --- | --- | --- | --- |');
for (const kind of SERVER_KINDS) {
  console.log(`| ${kind} | ${perTenant(op.servers[kind].reads)} | ${perTenant(op.servers[kind].writes)} | ${perTenant(op.resyncServers[kind].reads)} | ${op.resyncServers[kind].writes} |`);
}
console.log(`operator memory: ${op.rssMiB.toFixed(0)} MiB resident with ${COUNT} Tenants; ${op.rssPerTenantKiB.toFixed(0)} KiB resident, ${op.heapPerTenantKiB.toFixed(0)} KiB heap per Tenant`);
const serverResyncWrites = SERVER_KINDS.reduce((sum, kind) => sum + op.resyncServers[kind].writes, 0);
console.log(`full resync after restart: ${op.resyncReconciles} reconciles, ${op.resyncWrites} API writes, ${serverResyncWrites} server writes (both must be 0)`);
process.exit(op.resyncWrites === 0 && serverResyncWrites === 0 ? 0 : 1);

// `npm run bench:operator`: 100 Tenants of 5 modules created at once on the local control plane
// (tools/cluster-up.sh), against a baseline measured in the same run: `kubectl apply --server-side`
// of the very objects the operator renders for those Tenants. Prints time to Ready (p50, p99,
// total) for both, the ratio, API writes per Tenant, the operator's memory per Tenant, and the
// writes a full resync of converged Tenants makes (must be zero). See docs/benchmarks.md.
//
// Environment: BENCH_TENANTS (100), BENCH_OPERATOR_CONCURRENCY (4), plus KUBECONFIG and NP_KUBECTL
// (`npm run bench:operator` reads them from .local/cluster.env, written by tools/cluster-up.sh).
import { spawn } from 'node:child_process';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { planTenant, renderTenant } from '@np/operator';
import { stringify } from 'yaml';
import { ROOT, startNode, stopChild, waitUntil } from '../test/harness/child-process.js';
import { freePort } from '../test/harness/free-port.js';
import { scrape, sumSamples } from '../test/harness/prometheus.js';

const COUNT = Number(process.env.BENCH_TENANTS ?? 100);
const CONCURRENCY = process.env.BENCH_OPERATOR_CONCURRENCY ?? '4';
const KUBECONFIG = resolve(ROOT, process.env.KUBECONFIG ?? '.local/kubeconfig');
const KUBECTL = process.env.NP_KUBECTL;
if (!KUBECTL) throw new Error('NP_KUBECTL is not set: run `npm run bench:operator`, which reads .local/cluster.env');
const LOG_DIR = join(ROOT, '.local', 'bench-logs');
const AIM = 1.5;
const MODULES = ['users', 'files', 'form-builder', 'reports', 'backoffice'];
const TENANTS = { group: 'platform.np.dev', version: 'v1alpha1', plural: 'tenants' };
const RENDER_SETTINGS = { imageRegistry: 'registry.bench/np', defaultImageTag: '1.0.0', namespacePrefix: 'tenant-' };

const kubeConfig = new KubeConfig();
kubeConfig.loadFromFile(KUBECONFIG);
const core = kubeConfig.makeApiClient(CoreV1Api);
const apps = kubeConfig.makeApiClient(AppsV1Api);
const custom = kubeConfig.makeApiClient(CustomObjectsApi);

const log = (message) => console.log(`[bench] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const names = (prefix) => Array.from({ length: COUNT }, (_, index) => `${prefix}-${String(index).padStart(3, '0')}`);
const spec = () => ({ modules: MODULES.map((name) => ({ name })) });

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

// ---- baseline: kubectl apply --server-side of the rendered objects ---------------------------------
async function baseline() {
  const tenantNames = names('bb');
  const documents = [];
  const namespaced = [];
  for (const name of tenantNames) {
    const tenant = { apiVersion: 'platform.np.dev/v1alpha1', kind: 'Tenant', metadata: { name, uid: 'none' }, spec: spec() };
    const desired = renderTenant(planTenant(tenant, RENDER_SETTINGS));
    // No Tenant exists in the baseline, so no owner: the garbage collector would delete orphans.
    const strip = (object) => ({ ...object, metadata: { ...object.metadata, ownerReferences: undefined } });
    documents.push(strip(desired.namespace));
    namespaced.push(...desired.namespaced.map(strip));
  }
  documents.push(...namespaced);
  mkdirSync(LOG_DIR, { recursive: true });
  const file = join(LOG_DIR, 'baseline-objects.yaml');
  writeFileSync(file, documents.map((document) => stringify(JSON.parse(JSON.stringify(document)))).join('---\n'));
  log(`baseline: kubectl apply --server-side of ${documents.length} objects (${documents.length / COUNT} per tenant)`);
  const started = Date.now();
  await run(KUBECTL, ['--kubeconfig', KUBECONFIG, 'apply', '--server-side', '--field-manager', 'np-bench', '-f', file]);
  const appliedMs = Date.now() - started;
  const readyAt = await waitForNamespacesReady(tenantNames, started);
  const result = { ...summary(readyAt), appliedMs, requestsPerTenant: documents.length / COUNT };
  log(`baseline: applied in ${seconds(appliedMs)}, all ready in ${seconds(result.total)}`);
  await deleteNamespaces(tenantNames);
  return result;
}

// ---- the operator -------------------------------------------------------------------------------
async function metrics(port) {
  const text = await scrape(port);
  return { sum: (name) => sumSamples(text, name) };
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

  log(`operator: creating ${COUNT} Tenants of ${MODULES.length} modules at once (concurrency ${CONCURRENCY})`);
  const started = Date.now();
  await Promise.all(tenantNames.map((name) => custom.createClusterCustomObject({ ...TENANTS, body: { apiVersion: 'platform.np.dev/v1alpha1', kind: 'Tenant', metadata: { name }, spec: spec() } })));
  const readyAt = await waitForTenantsReady(tenantNames, started);
  const result = summary(readyAt);
  log(`operator: all Ready in ${seconds(result.total)}`);

  await sleep(3000); // let the last status writes and watch events settle
  const busy = await metrics(first.port);
  result.writesPerTenant = busy.sum('np_operator_api_writes_total') / COUNT;
  result.rssPerTenantKiB = (busy.sum('process_resident_memory_bytes') - rssBefore) / COUNT / 1024;
  result.heapPerTenantKiB = (busy.sum('nodejs_heap_size_used_bytes') - heapBefore) / COUNT / 1024;
  result.rssMiB = busy.sum('process_resident_memory_bytes') / 2 ** 20;
  await stopChild(first.child);

  log('operator: restarting it for a full resync of the converged Tenants');
  const second = await startOperator('operator-bench-resync');
  await waitUntil('every Tenant reconciled after the restart', async () => (await metrics(second.port)).sum('controller_runtime_reconcile_total') >= COUNT, 120_000, second.child);
  await sleep(2000);
  const after = await metrics(second.port);
  result.resyncReconciles = after.sum('controller_runtime_reconcile_total');
  result.resyncWrites = after.sum('np_operator_api_writes_total');

  log('operator: deleting the Tenants');
  await deleteTenants(tenantNames);
  await stopChild(second.child);
  return result;
}

await installCrd();
const base = await baseline();
const op = await operator();
const ratio = op.total / base.total;

console.log('');
console.log(`Tenants: ${COUNT} x (gateway, auth + ${MODULES.length} modules) = ${COUNT * (MODULES.length + 2)} Deployments`);
console.log('| target | p50 to Ready | p99 to Ready | total | API writes per Tenant |');
console.log('| --- | --- | --- | --- | --- |');
console.log(`| baseline: kubectl apply --server-side | ${seconds(base.p50)} | ${seconds(base.p99)} | ${seconds(base.total)} | ${base.requestsPerTenant} |`);
console.log(`| operator | ${seconds(op.p50)} | ${seconds(op.p99)} | ${seconds(op.total)} | ${op.writesPerTenant.toFixed(1)} |`);
console.log('');
console.log(`operator total / baseline total: ${ratio.toFixed(2)}x (aim <= ${AIM}x: ${ratio <= AIM ? 'met' : 'NOT met'})`);
console.log(`operator memory: ${op.rssMiB.toFixed(0)} MiB resident with ${COUNT} Tenants; ${op.rssPerTenantKiB.toFixed(0)} KiB resident, ${op.heapPerTenantKiB.toFixed(0)} KiB heap per Tenant`);
console.log(`full resync after restart: ${op.resyncReconciles} reconciles, ${op.resyncWrites} writes (must be 0)`);
process.exit(op.resyncWrites === 0 ? 0 : 1);

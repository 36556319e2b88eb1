import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { RunningOperator } from '../src/operator.js';
import { clusterClients, createTenant, deleteTenant, eventually, installCrd, namespaceExists, readTenant, waitForReady, type ClusterClients } from './support/cluster.js';
import { startTestOperator } from './support/operator-process.js';
import { helmKubeVersionArgs, helmPath, kubeconfigPath, kubectl, repoRoot } from './support/tools.js';

/**
 * The operator runs with nothing but the RBAC the Helm chart grants: a token of the chart's
 * ServiceAccount, bound by the chart's ClusterRole and Role. If a verb or resource the operator
 * needs were missing, the Tenant would never become Ready or never be deleted.
 */

const RUN = Date.now().toString(36);
const RELEASE_NAMESPACE = `np-rbac-${RUN}`;
const TENANT = `rbac-${RUN}`;
const RBAC_KINDS = new Set(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

let clients: ClusterClients;
let operator: RunningOperator | undefined;
let workDir: string;
let renderedRbac = '';

/** The chart's RBAC objects for a release in RELEASE_NAMESPACE. */
function renderRbac(): { yaml: string; serviceAccount: string } {
  const rendered = execFileSync(
    helmPath(),
    ['template', 'np', join(repoRoot, 'charts/np-platform'), '--namespace', RELEASE_NAMESPACE, ...helmKubeVersionArgs()],
    { encoding: 'utf8', stdio: 'pipe' },
  );
  const objects = parseAllDocuments(rendered)
    .map((document) => document.toJS() as { kind?: string; metadata?: { name?: string } } | null)
    .filter((object): object is { kind: string; metadata: { name: string } } => RBAC_KINDS.has(object?.kind ?? ''));
  const serviceAccount = objects.find((object) => object.kind === 'ServiceAccount')!.metadata.name;
  return { yaml: objects.map((object) => JSON.stringify(object)).join('\n---\n'), serviceAccount };
}

/** A kubeconfig for the same API server that authenticates as the ServiceAccount. */
function serviceAccountKubeconfig(serviceAccount: string): string {
  const token = kubectl(['create', 'token', serviceAccount, '--namespace', RELEASE_NAMESPACE, '--duration', '1h']).trim();
  const admin = new KubeConfig();
  admin.loadFromFile(kubeconfigPath());
  const cluster = admin.getCurrentCluster()!;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [cluster],
    users: [{ name: serviceAccount, token }],
    contexts: [{ name: 'operator', cluster: cluster.name, user: serviceAccount }],
    currentContext: 'operator',
  });
  const path = join(workDir, 'kubeconfig');
  writeFileSync(path, kubeConfig.exportConfig(), { mode: 0o600 });
  return path;
}

beforeAll(async () => {
  clients = clusterClients();
  await installCrd(clients);
  workDir = mkdtempSync(join(tmpdir(), 'np-rbac-'));
  kubectl(['create', 'namespace', RELEASE_NAMESPACE]);
  const { yaml, serviceAccount } = renderRbac();
  renderedRbac = yaml;
  kubectl(['apply', '--server-side', '--field-manager', 'np-tests', '-f', '-'], yaml);
  operator = await startTestOperator({
    KUBECONFIG: serviceAccountKubeconfig(serviceAccount),
    NP_OPERATOR_LEADER_ELECT: 'true',
    NP_OPERATOR_LEASE_NAMESPACE: RELEASE_NAMESPACE,
    NP_OPERATOR_LEASE_NAME: 'np-operator',
  });
}, 60_000);

afterAll(async () => {
  await deleteTenant(clients, TENANT);
  await eventually('the RBAC tenant is gone', async () => (await readTenant(clients, TENANT)) === undefined, 90_000).catch(() => undefined);
  await operator?.stop();
  if (renderedRbac) kubectl(['delete', '--ignore-not-found', '-f', '-'], renderedRbac);
  kubectl(['delete', 'namespace', RELEASE_NAMESPACE, '--ignore-not-found', '--wait=false']);
  rmSync(workDir, { recursive: true, force: true });
}, 120_000);

describe("the operator with only the chart's RBAC", () => {
  it('holds its Lease, reconciles a full Tenant to Ready and records Events', async () => {
    await createTenant(clients, TENANT, {
      adminEmail: 'admin@rbac.example.com',
      deletionPolicy: 'Delete',
      ingress: { host: 'api.rbac.example.com' },
      modules: [{ name: 'users', replicas: { min: 1, max: 2 } }, { name: 'files', enabled: false }],
    });
    const tenant = await waitForReady(clients, TENANT);
    expect(tenant.status?.conditions?.find((condition) => condition.type === 'ResourcesApplied')?.status).toBe('True');
    // Its Secrets were written and read back with the chart's Secret rules alone.
    const secrets = await clients.core.listNamespacedSecret({ namespace: `tenant-${TENANT}` });
    expect(secrets.items.map((item) => item.metadata?.name).sort()).toEqual(['auth-connections', 'files-connections', 'gateway-connections', 'infrastructure-credentials', 'initial-admin', 'users-connections']);
    const lease = kubectl(['get', 'lease', 'np-operator', '--namespace', RELEASE_NAMESPACE, '-o', 'jsonpath={.spec.holderIdentity}']);
    expect(lease).not.toBe('');
  });

  it('deletes the Tenant and everything of it', async () => {
    await deleteTenant(clients, TENANT);
    await eventually('the tenant namespace is gone', async () => !(await namespaceExists(clients, `tenant-${TENANT}`)), 90_000);
    await eventually('the Tenant is gone', async () => (await readTenant(clients, TENANT)) === undefined);
  });
});

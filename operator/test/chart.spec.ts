import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { helmKubeVersionArgs, helmPath, kubeconfigPath, kubectlPath, repoRoot } from './support/tools.js';

/**
 * The Helm chart and the example Tenants: helm's own checks, what the rendered objects promise
 * (replicas, security, least-privilege RBAC, the operator's container contract), and acceptance by
 * a real API server in a server-side dry run.
 */

const CHART = 'charts/np-platform';
const CRD_FILE = 'crds/platform.np.dev_tenants.yaml';
const NAMESPACE = 'np-system';
const RELEASE = 'np';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], input?: string): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Runs a command that must succeed; its output is in the error when it does not. */
async function ok(command: string, args: string[], input?: string): Promise<Result> {
  const result = await run(command, args, input);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.code}\n${result.stderr}${result.stdout}`);
  }
  return result;
}

const helm = (...args: string[]) => run(helmPath(), args);
const kubectl = (args: string[], input?: string) => run(kubectlPath(), ['--kubeconfig', kubeconfigPath(), ...args], input);

const kubeVersionArgs = helmKubeVersionArgs;

function template(...extra: string[]): Promise<Result> {
  return ok(helmPath(), ['template', RELEASE, CHART, '--namespace', NAMESPACE, ...kubeVersionArgs(), ...extra]);
}

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

function objects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

function only(rendered: K8sObject[], kind: string): K8sObject {
  const matches = rendered.filter((object) => object.kind === kind);
  expect(matches).toHaveLength(1);
  return matches[0]!;
}

// Rendered manifests are walked as plain data; typing every Kubernetes kind here would add nothing.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** Each rule flattened to "group/resource verb [name]", so a grant can be compared as a set. */
function grants(rules: Rule[]): string[] {
  const out: string[] = [];
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        for (const verb of rule.verbs) {
          const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
          for (const name of names) out.push(`${group || 'core'}/${resource} ${verb}${name ? ` ${name}` : ''}`);
        }
      }
    }
  }
  return out.sort();
}

const expand = (group: string, resources: string[], verbs: string[]) =>
  resources.flatMap((resource) => verbs.map((verb) => `${group}/${resource} ${verb}`));

const ALL = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

const EXPECTED_CLUSTER_GRANTS = [
  ...expand('platform.np.dev', ['tenants'], ['get', 'list', 'watch', 'patch']),
  ...expand('platform.np.dev', ['tenants/status'], ['patch']),
  ...expand('platform.np.dev', ['tenants/finalizers'], ['update']),
  ...expand('core', ['namespaces', 'services', 'serviceaccounts', 'configmaps', 'resourcequotas', 'limitranges', 'secrets'], ALL),
  ...expand('apps', ['deployments'], ALL),
  ...expand('autoscaling', ['horizontalpodautoscalers'], ALL),
  ...expand('policy', ['poddisruptionbudgets'], ALL),
  ...expand('networking.k8s.io', ['networkpolicies', 'ingresses'], ALL),
  ...expand('keda.sh', ['scaledobjects', 'triggerauthentications'], ALL),
  ...expand('core', ['events'], ['create']),
].sort();

const EXPECTED_LEASE_GRANTS = [
  'coordination.k8s.io/leases create',
  'coordination.k8s.io/leases get np-operator',
  'coordination.k8s.io/leases update np-operator',
].sort();

describe('charts/np-platform with helm', () => {
  it('passes helm lint --strict', async () => {
    const result = await helm('lint', '--strict', CHART, ...kubeVersionArgs());
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.code).toBe(0);
  });

  it('packages the CRD file itself: the chart links to crds/, the package holds a copy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'np-chart-'));
    try {
      await ok(helmPath(), ['package', CHART, '--destination', dir]);
      const [archive] = await readdir(dir);
      expect(archive).toBe('np-platform-0.1.0.tgz');
      const shown = await ok(helmPath(), ['show', 'crds', join(dir, archive!)]);
      const source = await readFile(join(repoRoot, CRD_FILE), 'utf8');
      expect(shown.stdout.trim()).toBe(source.trim());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses two replicas without leader election', async () => {
    const result = await helm('template', RELEASE, CHART, ...kubeVersionArgs(), '--set', 'operator.leaderElection.enabled=false');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('every replica would reconcile the same Tenants');
  });

  it('passes the addresses modules reach the servers at, and only those set', async () => {
    const rendered = objects(
      (await template('--set', 'operator.servers.moduleAddresses.amqp=amqp://rabbitmq.infra:5672', '--set', 'operator.servers.resyncIntervalMs=1200000', '--set', 'operator.servers.secretName=servers'))
        .stdout,
    );
    const container: Any = (only(rendered, 'Deployment') as Any).spec.template.spec.containers[0];
    const env = new Map((container.env as { name: string; value?: string }[]).map((variable) => [variable.name, variable.value]));
    expect(env.get('NP_OPERATOR_MODULES_AMQP_URL')).toBe('amqp://rabbitmq.infra:5672');
    expect(env.get('NP_OPERATOR_INFRASTRUCTURE_RESYNC_MS')).toBe('1200000');
    expect([...env.keys()].filter((name) => name.startsWith('NP_OPERATOR_MODULES_'))).toEqual(['NP_OPERATOR_MODULES_AMQP_URL']);
    expect(container.envFrom).toEqual([{ secretRef: { name: 'servers', optional: false } }]);
    const refused = await helm('template', RELEASE, CHART, ...kubeVersionArgs(), '--set', 'operator.servers.moduleAddresses.database=mysql://db');
    expect(refused.code).not.toBe(0);
  });

  it('refuses values it does not know', async () => {
    const result = await helm('template', RELEASE, CHART, ...kubeVersionArgs(), '--set', 'image.tga=1.0');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("additional properties 'tga' not allowed");
  });

  it('with one replica and no leader election: no PodDisruptionBudget (it would block every drain) and no Lease Role', async () => {
    const rendered = objects((await template('--set', 'replicas=1', '--set', 'operator.leaderElection.enabled=false')).stdout);
    expect(rendered.map((object) => object.kind)).not.toContain('PodDisruptionBudget');
    expect(rendered.map((object) => object.kind)).not.toContain('Role');
  });
});

describe('charts/np-platform rendered with default values', () => {
  let rendered: K8sObject[];
  let deployment: Any;
  let container: Any;

  beforeAll(async () => {
    rendered = objects((await template('--include-crds')).stdout);
    deployment = only(rendered, 'Deployment');
    container = deployment.spec.template.spec.containers[0];
  });

  it('renders exactly the objects of the release', () => {
    expect(rendered.map((object) => `${object.kind}/${object.metadata.name}`).sort()).toEqual(
      [
        'ClusterRole/np-np-platform-operator',
        'ClusterRoleBinding/np-np-platform-operator',
        'CustomResourceDefinition/tenants.platform.np.dev',
        'Deployment/np-np-platform-operator',
        'PodDisruptionBudget/np-np-platform-operator',
        'Role/np-np-platform-operator-leader-election',
        'RoleBinding/np-np-platform-operator-leader-election',
        'Service/np-np-platform-operator',
        'ServiceAccount/np-np-platform-operator',
      ].sort(),
    );
    const clusterScoped = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);
    for (const object of rendered.filter((candidate) => !clusterScoped.has(candidate.kind))) {
      expect(object.metadata.namespace).toBe(NAMESPACE);
    }
  });

  it('includes the CRD exactly as crds/platform.np.dev_tenants.yaml', async () => {
    const source = parse(await readFile(join(repoRoot, CRD_FILE), 'utf8')) as unknown;
    expect(only(rendered, 'CustomResourceDefinition')).toEqual(source);
  });

  it('runs two replicas, spread across nodes, with a PodDisruptionBudget keeping one', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    const selector = deployment.spec.selector.matchLabels;
    const [term] = deployment.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
    expect(term.podAffinityTerm).toEqual({ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } });
    const pdb: Any = only(rendered, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({ minAvailable: 1, selector: { matchLabels: selector } });
  });

  it('runs as uid 10001, non-root, read-only root filesystem, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  it('keeps the container contract the operator is written against', () => {
    expect(container.image).toBe('ghcr.io/np-platform/operator:0.1.0');
    expect(container.command).toEqual(['node', 'operator/dist/main.js']);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });

    const env = Object.fromEntries(
      (container.env as Array<{ name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }>).map((variable) => [
        variable.name,
        variable.value ?? `fieldRef:${variable.valueFrom!.fieldRef.fieldPath}`,
      ]),
    );
    expect(env).toEqual({
      NP_OPS_PORT: '8080',
      NP_OPS_HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      NP_OPERATOR_IMAGE_REGISTRY: 'ghcr.io/np-platform',
      NP_OPERATOR_IMAGE_TAG: '0.1.0',
      NP_OPERATOR_NAMESPACE_PREFIX: 'tenant-',
      NP_OPERATOR_CONCURRENCY: '4',
      NP_OPERATOR_LEADER_ELECT: 'true',
      NP_OPERATOR_LEASE_NAMESPACE: 'fieldRef:metadata.namespace',
      NP_OPERATOR_LEASE_NAME: 'np-operator',
      POD_NAME: 'fieldRef:metadata.name',
      NP_OPERATOR_ORGANIZATION_REALM: 'np-tenants',
      NP_OPERATOR_INFRASTRUCTURE_RESYNC_MS: '600000',
    });
    // The servers' credentials only from the Secret the values name, never inline.
    expect(container.envFrom).toEqual([{ secretRef: { name: 'np-platform-servers', optional: false } }]);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('np-np-platform-operator');
  });

  it('exposes the http port (metrics, probes) through a Service selecting the operator pods', () => {
    const service: Any = only(rendered, 'Service');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('grants no wildcard verbs, resources, groups or names anywhere in RBAC', () => {
    for (const role of rendered.filter((object) => object.kind === 'ClusterRole' || object.kind === 'Role')) {
      for (const rule of (role as Any).rules as Rule[]) {
        for (const value of [...rule.verbs, ...(rule.resources ?? []), ...(rule.apiGroups ?? []), ...(rule.resourceNames ?? [])]) {
          expect(value).not.toContain('*');
        }
        expect(rule.nonResourceURLs).toBeUndefined();
      }
    }
  });

  it('grants exactly what the operator needs: Tenant resources cluster-wide, its own Lease in its namespace', () => {
    expect(grants((only(rendered, 'ClusterRole') as Any).rules)).toEqual(EXPECTED_CLUSTER_GRANTS);
    expect(grants((only(rendered, 'Role') as Any).rules)).toEqual(EXPECTED_LEASE_GRANTS);
  });

  it('binds both roles to the operator ServiceAccount', () => {
    const subject = [{ kind: 'ServiceAccount', name: 'np-np-platform-operator', namespace: NAMESPACE }];
    const clusterBinding: Any = only(rendered, 'ClusterRoleBinding');
    expect(clusterBinding.subjects).toEqual(subject);
    expect(clusterBinding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'np-np-platform-operator' });
    const binding: Any = only(rendered, 'RoleBinding');
    expect(binding.subjects).toEqual(subject);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'np-np-platform-operator-leader-election' });
  });
});

describe('charts/np-platform and manifests/ on the real API server', () => {
  const POD_SECURITY_WARN = 'pod-security.kubernetes.io/warn';
  let createdNamespace = false;
  /** The namespace's own warn label, put back afterwards; null when it had none. */
  let previousWarnLabel: string | null | undefined;

  beforeAll(async () => {
    if (!existsSync(kubeconfigPath()) || !existsSync(kubectlPath())) {
      throw new Error(`no control plane: ${kubeconfigPath()} or ${kubectlPath()} is missing. Run npm run cluster:up first.`);
    }
    await ok(kubectlPath(), ['--kubeconfig', kubeconfigPath(), 'get', '--raw', '/readyz']);

    await ok(kubectlPath(), ['--kubeconfig', kubeconfigPath(), 'apply', '--server-side', '--force-conflicts', '-f', CRD_FILE]);
    await ok(kubectlPath(), [
      '--kubeconfig',
      kubeconfigPath(),
      'wait',
      '--for=condition=Established',
      '--timeout=30s',
      'crd/tenants.platform.np.dev',
    ]);

    // The chart's pod must pass the restricted Pod Security profile; with warn=restricted on its
    // namespace the API server says so in a warning, even in a dry run.
    const existing = await kubectl(['get', 'namespace', NAMESPACE, '-o', 'json']);
    if (existing.code === 0) {
      const labels = (JSON.parse(existing.stdout) as K8sObject).metadata.labels ?? {};
      if (labels[POD_SECURITY_WARN] !== 'restricted') {
        previousWarnLabel = labels[POD_SECURITY_WARN] ?? null;
        await ok(kubectlPath(), ['--kubeconfig', kubeconfigPath(), 'label', '--overwrite', 'namespace', NAMESPACE, `${POD_SECURITY_WARN}=restricted`]);
      }
    } else {
      await ok(kubectlPath(), ['--kubeconfig', kubeconfigPath(), 'create', '-f', '-'], JSON.stringify({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: NAMESPACE,
          labels: { 'pod-security.kubernetes.io/enforce': 'restricted', [POD_SECURITY_WARN]: 'restricted' },
        },
      }));
      createdNamespace = true;
    }
  }, 60_000);

  afterAll(async () => {
    if (createdNamespace) {
      await kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
    } else if (previousWarnLabel !== undefined) {
      const label = previousWarnLabel === null ? `${POD_SECURITY_WARN}-` : `${POD_SECURITY_WARN}=${previousWarnLabel}`;
      await kubectl(['label', '--overwrite', 'namespace', NAMESPACE, label]);
    }
  }, 30_000);

  it('accepts every rendered object in a server-side dry run, without Pod Security warnings', async () => {
    const chart = await template();
    const result = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], chart.stdout);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const applied = result.stdout.trim().split('\n');
    expect(applied).toHaveLength(objects(chart.stdout).length);
    for (const line of applied) expect(line).toMatch(/serverside-applied \(server dry run\)$/);
  });

  it('would catch a pod that breaks the restricted profile: the same dry run warns about it', async () => {
    const chart = await template('--set', 'securityContext.allowPrivilegeEscalation=true');
    const result = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], chart.stdout);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false');
  });

  it.each(['tenant-minimal.yaml', 'tenant-full.yaml'])('accepts manifests/%s', async (file) => {
    const result = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', join('manifests', file)]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^tenant\.platform\.np\.dev\/[a-z-]+ serverside-applied \(server dry run\)$/m);
  });

  it('would catch a broken example: the same dry run rejects a Tenant the CRD forbids', async () => {
    const invalid = (await readFile(join(repoRoot, 'manifests/tenant-minimal.yaml'), 'utf8')).replace('- name: users', '- name: billing');
    const result = await kubectl(['apply', '--server-side', '--dry-run=server', '-f', '-'], invalid);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.modules[0].name: Unsupported value: "billing"');
  });
});

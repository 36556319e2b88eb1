import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, clusterVersions, kubectl, repoRoot } from '../../operator/test/support/tools.js';
import { ingressClient } from '../harness/ingress-client.js';
import type { ApiClient } from '../harness/http-client.js';

/** The real node's settings, as tools/cluster-up.sh wrote them to .local/cluster.env. */
export function nodeSettings(): { ingressUrl: string; nodeName: string } {
  const ingressUrl = process.env.NP_INGRESS_URL;
  const nodeName = process.env.NP_NODE_NAME;
  if (process.env.NP_CLUSTER_NODE_KIND !== 'real' || !ingressUrl || !nodeName) {
    throw new Error('these suites need the real node: npm run cluster:up (as root), then source .local/cluster.env');
  }
  return { ingressUrl, nodeName };
}

export function kubectlJson<T>(args: string[]): T {
  return JSON.parse(kubectl([...args, '-o', 'json'])) as T;
}

export interface PodSummary {
  name: string;
  module: string;
  phase: string;
  ready: boolean;
  deleting: boolean;
  node: string;
  image: string;
  restarts: number;
  ip: string;
}

interface PodList {
  items: {
    metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
    spec: { nodeName?: string; containers: { image: string }[] };
    status: { phase: string; podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number }[] };
  }[];
}

export function podsOf(namespace: string): PodSummary[] {
  return kubectlJson<PodList>(['-n', namespace, 'get', 'pods']).items.map((pod) => ({
    name: pod.metadata.name,
    module: pod.metadata.labels?.['platform.np.dev/module'] ?? '',
    phase: pod.status.phase,
    ready: pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false,
    deleting: pod.metadata.deletionTimestamp !== undefined,
    node: pod.spec.nodeName ?? '',
    image: pod.spec.containers[0]?.image ?? '',
    restarts: pod.status.containerStatuses?.reduce((sum, container) => sum + container.restartCount, 0) ?? 0,
    ip: pod.status.podIP ?? '',
  }));
}

/** A client for the tenant's gateway through the ingress controller, by its ingress host. */
export function tenantClient(host: string): ApiClient {
  return ingressClient(nodeSettings().ingressUrl, host);
}

export function secretValues(namespace: string, name: string): Record<string, string> {
  const secret = kubectlJson<{ data: Record<string, string> }>(['-n', namespace, 'get', 'secret', name]);
  return Object.fromEntries(Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

/** Runs a command inside the node's mount namespace (where containerd's socket is), as tools/node-up.sh does. */
export function inNode(command: string, args: string[]): string {
  const containerdPid = readFileSync(join(repoRoot, '.local/cluster/containerd.pid'), 'utf8').trim();
  const containerdBin = join(cacheDir(), 'bin', `containerd-${clusterVersions().containerd}`);
  return execFileSync('nsenter', [`--mount=/proc/${containerdPid}/ns/mnt`, '--', join(containerdBin, command), ...args], {
    encoding: 'utf8',
    // ctr warns on every call that containerd's cgroup v1 support is deprecated.
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}

/** The node's containers (all of them, pause included) that belong to pods of `namespace`. */
export function nodeContainersOf(namespace: string): string[] {
  return inNode('ctr', ['-n', 'k8s.io', 'containers', 'list', '-q', `labels."io.kubernetes.pod.namespace"==${namespace}`])
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** The pods' veth ends on the node's bridge. */
export function bridgePorts(): string[] {
  const bridge = process.env.NP_NODE_BRIDGE ?? 'np-node0';
  return execFileSync('ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/** tools/platform-install.sh: the chart, the operator from its image, the servers' Secret. */
export function installPlatform(): void {
  execFileSync('bash', [join(repoRoot, 'tools/platform-install.sh')], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
}

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the cluster suites find the control plane started by `tools/cluster-up.sh` and the
 * binaries `tools/cluster-build.sh` cached. Versions are read from tools/cluster-versions.sh, the
 * file those scripts source, so bumping a version there moves the tests with it.
 */

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface ClusterVersions {
  kubernetes: string;
  etcd: string;
  kwok: string;
  helm: string;
  containerd: string;
}

let versions: ClusterVersions | undefined;

export function clusterVersions(): ClusterVersions {
  if (versions) return versions;
  const text = readFileSync(join(repoRoot, 'tools/cluster-versions.sh'), 'utf8');
  const read = (key: string): string => {
    const match = new RegExp(`^${key}=([0-9A-Za-z.+-]+)\\s*$`, 'm').exec(text);
    if (!match?.[1]) throw new Error(`tools/cluster-versions.sh does not set ${key}`);
    return match[1];
  };
  versions = {
    kubernetes: read('KUBERNETES_VERSION'),
    etcd: read('ETCD_VERSION'),
    kwok: read('KWOK_VERSION'),
    helm: read('HELM_VERSION'),
    containerd: read('CONTAINERD_VERSION'),
  };
  return versions;
}

/** The binaries' cache, honouring NP_CACHE_DIR as the scripts do. */
export function cacheDir(): string {
  return process.env.NP_CACHE_DIR ?? join(process.env.HOME ?? homedir(), '.cache/np-platform');
}

export function kubectlPath(): string {
  return join(cacheDir(), 'bin', `kubernetes-${clusterVersions().kubernetes}`, 'kubectl');
}

export function helmPath(): string {
  return join(cacheDir(), 'bin', `helm-${clusterVersions().helm}`, 'helm');
}

/** $KUBECONFIG, else the admin kubeconfig cluster-up writes; relative paths are from the repository root. */
export function kubeconfigPath(): string {
  return resolve(repoRoot, process.env.KUBECONFIG ?? '.local/kubeconfig');
}

/** Runs kubectl against the local control plane and returns its output; throws when it fails. */
export function kubectl(args: string[], input?: string): string {
  return execFileSync(kubectlPath(), ['--kubeconfig', kubeconfigPath(), ...args], { input, encoding: 'utf8', stdio: 'pipe' });
}

/**
 * helm has no cluster to ask when it renders, and a helm built from source assumes an old
 * Kubernetes: render for the version the tests run against.
 */
export function helmKubeVersionArgs(): string[] {
  return ['--kube-version', clusterVersions().kubernetes];
}

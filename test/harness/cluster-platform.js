// The cluster shape as the e2e suite sees it: a Tenant of its own on the real node of
// tools/cluster-up.sh (the operator installed by tools/platform-install.sh), and every request
// through the ingress controller with the tenant's host. Plain JavaScript, like platform.js.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import { testDatabaseUrl } from '@np/testing';
import { ROOT, waitUntil } from './child-process.js';

/** The domain of every e2e tenant's ingress host: requests to it go to the ingress controller. */
const TENANT_DOMAIN = 'e2e.test';
const STARTUP_MS = 300_000;

/** The settings tools/cluster-up.sh wrote to .local/cluster.env. */
function clusterSettings() {
  const { NP_INGRESS_URL: ingressUrl, NP_KUBECTL: kubectlBin, KUBECONFIG: kubeconfig, NP_CLUSTER_NODE_KIND: nodeKind } = process.env;
  if (nodeKind !== 'real' || !ingressUrl || !kubectlBin || !kubeconfig) {
    throw new Error('NP_E2E_SHAPE=cluster needs the real node: npm run cluster:up && npm run cluster:install (as root), then source .local/cluster.env');
  }
  return { ingressUrl, kubectlBin, kubeconfig };
}

/** @param {string[]} args @param {string} [input] */
function kubectl(args, input) {
  const { kubectlBin, kubeconfig } = clusterSettings();
  return execFileSync(kubectlBin, ['--kubeconfig', kubeconfig, ...args], { input, encoding: 'utf8', stdio: 'pipe' });
}

/** @param {string[]} args */
function kubectlJson(args) {
  return JSON.parse(kubectl([...args, '-o', 'json']));
}

/**
 * Every e2e tenant's host name resolves, in this test process, to the ingress controller's address
 * (NP_INGRESS_URL, on loopback), whose routing then reads the host from `Host`: fetch, node:http
 * clients (tus-js-client) and raw sockets all connect through node:dns's lookup. Installed once.
 */
function resolveTenantHostsToIngress() {
  if (dns.lookup.resolvesTenantHosts) return;
  const system = dns.lookup;
  const ingressAddress = new URL(clusterSettings().ingressUrl).hostname;
  /** @type {typeof dns.lookup & { resolvesTenantHosts?: boolean }} */
  const lookup = (hostname, options, callback) => {
    const done = typeof options === 'function' ? options : callback;
    const settings = typeof options === 'function' ? {} : typeof options === 'number' ? { family: options } : (options ?? {});
    if (!hostname.endsWith(`.${TENANT_DOMAIN}`)) return system(hostname, settings, done);
    if (settings.all) process.nextTick(done, null, [{ address: ingressAddress, family: 4 }]);
    else process.nextTick(done, null, ingressAddress, 4);
  };
  lookup.resolvesTenantHosts = true;
  dns.lookup = lookup;
}

/** The operator's database of tenant `name` (tenant_<name>, dashes as underscores). @param {string} name */
function tenantDatabaseUrl(name) {
  return testDatabaseUrl(`tenant_${name.replaceAll('-', '_')}`);
}

/** The operator from its image (tools/platform-install.sh), unless the node runs it already. */
function ensurePlatformInstalled() {
  if (kubectl(['-n', 'np-system', 'get', 'deployment', 'np-platform-operator', '--ignore-not-found']).trim() !== '') return;
  execFileSync('bash', [`${ROOT}/tools/platform-install.sh`], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
}

/** @param {string} namespace @param {string} secret */
function secretValues(namespace, secret) {
  const { data } = kubectlJson(['-n', namespace, 'get', 'secret', secret]);
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(String(value), 'base64').toString('utf8')]));
}

/** @param {string} namespace @param {string} module */
function podsOf(namespace, module) {
  return kubectlJson(['-n', namespace, 'get', 'pods', '-l', `platform.np.dev/module=${module}`]).items.map((pod) => ({
    ip: pod.status.podIP ?? '',
    ready: pod.status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false,
    deleting: pod.metadata.deletionTimestamp !== undefined,
  }));
}

/**
 * The operator generates the first admin's password; the suite's specs log in with ADMIN's. The
 * admin changes it through the API, as a user would.
 * @param {string} url @param {{ email: string, password: string }} admin @param {string} initialPassword
 */
async function takeOverAdmin(url, admin, initialPassword) {
  const post = (path, body, token) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const login = await post('/v1/auth/login', { email: admin.email, password: initialPassword });
  if (login.status !== 200) throw new Error(`the initial admin's login answered ${login.status}: ${await login.text()}`);
  const token = (await login.json()).access_token;
  const me = await (await fetch(`${url}/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } })).json();
  const changed = await fetch(`${url}/v1/users/${me.id}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ password: admin.password, currentPassword: initialPassword }),
  });
  if (changed.status !== 200) throw new Error(`changing the admin's password answered ${changed.status}: ${await changed.text()}`);
}

/**
 * @typedef {object} HostServerHandles the test servers on the host, which the node's pods use too
 * @property {() => Promise<void>} stopDatabase
 * @property {() => Promise<void>} startDatabase
 * @property {() => Promise<void>} stopStorage
 * @property {() => Promise<void>} startStorage
 * @property {(amqpUrl: string) => Promise<void>} restartBroker
 */

/**
 * What of a spec's settings for the other shapes (`env`) a Tenant can say: its modules, its
 * CORS origins, its storage quota and largest file. The rest keep the gateway's and the modules'
 * defaults here.
 * @param {Record<string, string>} env
 */
function tenantSettings(env) {
  const list = (/** @type {string | undefined} */ value) => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  return {
    modules: env.NP_MODULES === undefined ? ['users', 'files'] : list(env.NP_MODULES),
    corsOrigins: list(env.NP_CORS_ORIGINS),
    ...(env.NP_FILES_QUOTA_BYTES || env.NP_FILES_MAX_BYTES
      ? { storage: { ...(env.NP_FILES_QUOTA_BYTES ? { quota: env.NP_FILES_QUOTA_BYTES } : {}), ...(env.NP_FILES_MAX_BYTES ? { maxFileSize: env.NP_FILES_MAX_BYTES } : {}) } }
      : {}),
  };
}

/**
 * A Tenant applied and Ready, its admin's password `admin`'s, and handles that act on its pods.
 * Deleted with everything it provisioned on close.
 * @param {{ admin: { email: string, password: string }, env?: Record<string, string>, servers: HostServerHandles }} options
 */
export async function startClusterPlatform({ admin, env = {}, servers }) {
  const { modules, corsOrigins, ...storage } = tenantSettings(env);
  const { ingressUrl } = clusterSettings();
  resolveTenantHostsToIngress();
  ensurePlatformInstalled();
  const name = `e2e-${randomBytes(4).toString('hex')}`;
  const namespace = `tenant-${name}`;
  const host = `${name}.${TENANT_DOMAIN}`;
  const url = `http://${host}:${new URL(ingressUrl).port}`;
  const tenant = {
    apiVersion: 'platform.np.dev/v1alpha1',
    kind: 'Tenant',
    metadata: { name },
    spec: {
      adminEmail: admin.email,
      modules: modules.map((module) => ({ name: module })),
      ingress: { host, ...(corsOrigins.length ? { corsOrigins } : {}) },
      ...storage,
      // One test process is every user and address of this tenant.
      rateLimits: { perAddressPerMinute: 10_000_000, perUserPerMinute: 10_000_000 },
      deletionPolicy: 'Delete',
    },
  };
  const close = async () => {
    kubectl(['delete', 'tenant', name, '--ignore-not-found', '--wait=false']);
    await waitUntil(`namespace ${namespace} to go`, async () => kubectl(['get', 'namespace', namespace, '--ignore-not-found']).trim() === '', 240_000);
  };
  try {
    kubectl(['apply', '-f', '-'], JSON.stringify(tenant));
    kubectl(['wait', 'tenant', name, '--for=condition=Ready', `--timeout=${STARTUP_MS / 1000}s`]);
    // Traefik picks the Ingress up from its watch a moment after the operator writes it.
    await waitUntil(`${url}/readyz through the ingress`, async () => (await fetch(`${url}/readyz`)).status === 200, 60_000);
    await takeOverAdmin(url, admin, secretValues(namespace, 'initial-admin').password);
  } catch (error) {
    await close();
    throw error;
  }
  const auth = secretValues(namespace, 'auth-connections');
  // The node's address, where pods reach the host's servers, is the host's too.
  const gatewayConnections = secretValues(namespace, 'gateway-connections');
  const scale = async (/** @type {string} */ module, /** @type {number} */ replicas) => {
    kubectl(['-n', namespace, 'scale', `deployment/${module}`, `--replicas=${replicas}`]);
    await waitUntil(`${module} at ${replicas} ready pods`, async () => {
      const pods = podsOf(namespace, module);
      return replicas === 0 ? pods.length === 0 : pods.filter((pod) => pod.ready && !pod.deleting).length === replicas;
    }, 180_000);
  };
  const unsupported = () => Promise.reject(new Error('not possible in the cluster shape'));
  const gateway = podsOf(namespace, 'gateway').find((pod) => pod.ready);
  return {
    shape: 'cluster',
    url,
    // The tenant's realm issues its tokens.
    identity: { issuer: gatewayConnections.NP_ISSUER, audience: gatewayConnections.NP_AUDIENCE, tenant: name },
    // The gateway's default: the Tenant does not change it.
    bodyLimitBytes: 1024 * 1024,
    // The host reaches the node's pods on the bridge: the gateway's ops port, never exposed by the ingress.
    opsUrl: `http://${gateway?.ip}:9090`,
    // The tenant's database as the test servers' superuser, like the other shapes give it.
    databaseUrl: tenantDatabaseUrl(name),
    dataDir: undefined,
    signingKeyEncryptionKey: auth.NP_SIGNING_KEY_ENCRYPTION_KEY,
    namespace,
    // No HPA scales a Deployment up from zero replicas, and the operator leaves replicas to the HPA.
    stopModule: (module) => scale(module, 0),
    startModule: (module) => scale(module, 1),
    startExtraGateway: unsupported,
    amqpUrls: {},
    restartBroker: () => servers.restartBroker(gatewayConnections.NP_AMQP_URL),
    stopDatabase: servers.stopDatabase,
    startDatabase: servers.startDatabase,
    stopStorage: servers.stopStorage,
    startStorage: servers.startStorage,
    signal: unsupported,
    killDatabase: unsupported,
    close,
  };
}

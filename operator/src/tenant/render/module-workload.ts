import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { moduleLabels, moduleSelector, ownedMetadata } from '../labels.js';
import type { ModulePlan, TenantPlan } from '../tenant-plan.js';
import { GATEWAY_CONFIG_NAME, gatewayConfigData } from './gateway-config.js';
import { DATA_LISTENERS } from '@np/modules';
import { publicUrlOf } from './ingress.js';
import { TENANT_SERVICE_ACCOUNT } from './namespace.js';
import { connectionsSecretName } from '../secret-names.js';
import { MODULE_STATUS_CONFIG_NAME, MODULE_STATUS_KEY, MODULE_STATUS_MOUNT_PATH, MODULE_STATUS_READERS } from './module-status.js';

const RUN_AS = 10001;
/**
 * The gateway answers a request this long after a module's cold start budget at the latest
 * (its HTTP request timeout), so the module's own answer, or its timeout, always arrives first.
 */
const HTTP_TIMEOUT_MARGIN_MS = 10_000;
const GATEWAY_HTTP_TIMEOUT_MS = 30_000;
/**
 * The gateway keeps serving this long after its pod is told to stop, while the ingress controller
 * and Services drop its address (they learn it from the API server, not from the pod).
 */
const GATEWAY_PRE_STOP_SECONDS = 5;

/**
 * A module's Deployment. While the module runs its replica count belongs to the HPA, so the
 * operator leaves `replicas` out; a disabled module, or one whose connections Secret does not
 * exist yet (`started` false), is pinned to zero.
 */
export function renderDeployment(plan: TenantPlan, module: ModulePlan, started = module.enabled): KubernetesObject {
  const labels = moduleLabels(plan, module.name);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: ownedMetadata(plan, module.name, labels),
    spec: {
      ...(started ? {} : { replicas: 0 }),
      revisionHistoryLimit: 3,
      selector: { matchLabels: moduleSelector(plan, module.name) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels, ...podAnnotations(plan, module) },
        spec: {
          serviceAccountName: TENANT_SERVICE_ACCOUNT,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            runAsGroup: RUN_AS,
            fsGroup: RUN_AS,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container(plan, module)],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }, ...moduleStatusVolume(module)],
        },
      },
    },
  } as KubernetesObject;
}

/** Optional: the pod starts before the operator has written the first status. */
function moduleStatusVolume(module: ModulePlan): Record<string, unknown>[] {
  if (!MODULE_STATUS_READERS.has(module.name)) return [];
  return [{ name: MODULE_STATUS_CONFIG_NAME, configMap: { name: MODULE_STATUS_CONFIG_NAME, optional: true } }];
}

/** The pod's ports from the module manifest: its HTTP surface, if any, and the ops endpoints. */
function containerPorts(module: ModulePlan): { name: 'http' | 'ops'; containerPort: number; protocol: 'TCP' }[] {
  const { http, ops } = module.ports;
  return [
    ...(http === null ? [] : [{ name: 'http' as const, containerPort: http, protocol: 'TCP' as const }]),
    { name: 'ops', containerPort: ops, protocol: 'TCP' },
  ];
}

/**
 * Where each listener binds and on which port: every address of the pod, the manifest's ports.
 * A module's HTTP surface is a data listener with settings of its own (`NP_FILES_DATA_PORT`), as
 * `PORT` is the gateway's wherever modules share one environment (the embedded shape).
 */
function listenerEnv(module: ModulePlan): { name: string; value: string }[] {
  const { http, ops } = module.ports;
  const httpEnv = (port: number) =>
    module.data
      ? [{ name: module.data.portSetting, value: String(port) }, { name: module.data.hostSetting, value: '0.0.0.0' }]
      : [{ name: 'PORT', value: String(port) }, { name: 'HOST', value: '0.0.0.0' }];
  return [
    ...(http === null ? [] : httpEnv(http)),
    { name: 'NP_OPS_PORT', value: String(ops) },
    { name: 'NP_OPS_HOST', value: '0.0.0.0' },
  ];
}

/**
 * Every module of a tenant with an ingress knows its public address: links a module hands out
 * (a signed file link) point there. Without one a module would fall back to the issuer's URL,
 * which is the tenant's realm in Keycloak.
 */
function publicUrlEnv(plan: TenantPlan): { name: string; value: string }[] {
  const url = publicUrlOf(plan);
  return url === undefined ? [] : [{ name: 'NP_PUBLIC_URL', value: url }];
}

/**
 * Where a module reaches another's data listener (reports streams its exports into files): the
 * listener's Service, whether or not that module is enabled now, so enabling it restarts nothing.
 * The gateway learns the enabled ones from its ConfigMap instead.
 */
function dataListenerEnv(module: ModulePlan): { name: string; value: string }[] {
  if (module.name === 'gateway') return [];
  return DATA_LISTENERS.filter((listener) => listener.name !== module.name).map((listener) => ({ name: listener.urlSetting, value: `http://${listener.name}` }));
}

function container(plan: TenantPlan, module: ModulePlan): Record<string, unknown> {
  // The kubelet probes the ops listener: /healthz says the process runs, /readyz that its
  // dependencies (bus, database, storage) answer. A pod behind a Service (the gateway, files'
  // data listener) must pass /readyz once to start, and then stays ready while it runs: when a
  // dependency every replica shares goes down, each replica answers the contract's 503
  // (bus_unavailable, storage_unavailable) instead of the Service losing all its endpoints and
  // the ingress answering 404 for the tenant. A module reached only over the bus takes no
  // traffic from a Service; its readiness keeps following its dependencies.
  const servesHttp = module.ports.http !== null;
  const probe = (path: string, periodSeconds: number) => ({
    httpGet: { path, port: 'ops' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });
  return {
    name: module.name,
    image: module.image,
    ports: containerPorts(module),
    env: [
      { name: 'NP_ENV', value: 'production' },
      { name: 'NP_TENANT', value: plan.name },
      // How long a request waits in a module's queue while no pod consumes it (a pod replaced, a
      // rollout, a module asleep at zero): above a pod's start, below the gateway's HTTP timeout.
      { name: 'NP_RPC_COLD_START_MS', value: String(plan.scaling.coldStartMs) },
      ...(module.name === 'gateway'
        ? [{ name: 'NP_HTTP_REQUEST_TIMEOUT_MS', value: String(Math.max(GATEWAY_HTTP_TIMEOUT_MS, plan.scaling.coldStartMs + HTTP_TIMEOUT_MARGIN_MS)) }]
        : []),
      ...publicUrlEnv(plan),
      ...dataListenerEnv(module),
      ...listenerEnv(module),
      ...(MODULE_STATUS_READERS.has(module.name) ? [{ name: 'NP_MODULE_STATUS_FILE', value: `${MODULE_STATUS_MOUNT_PATH}/${MODULE_STATUS_KEY}` }] : []),
    ],
    ...(module.ports.http === null ? {} : { lifecycle: { preStop: { sleep: { seconds: GATEWAY_PRE_STOP_SECONDS } } } }),
    envFrom: [
      ...(module.name === 'gateway' ? [{ configMapRef: { name: GATEWAY_CONFIG_NAME } }] : []),
      // Not optional: a pod never starts on settings that would send it to shared servers.
      { secretRef: { name: connectionsSecretName(module.name), optional: false } },
    ],
    resources: { requests: module.requests, limits: module.limits },
    startupProbe: { ...probe(servesHttp ? '/readyz' : '/healthz', 2), failureThreshold: 30 },
    livenessProbe: probe('/healthz', 10),
    readinessProbe: probe(servesHttp ? '/healthz' : '/readyz', 5),
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'tmp', mountPath: '/tmp' },
      ...(MODULE_STATUS_READERS.has(module.name) ? [{ name: MODULE_STATUS_CONFIG_NAME, mountPath: MODULE_STATUS_MOUNT_PATH, readOnly: true }] : []),
    ],
  };
}

/** The gateway restarts when the set of enabled modules changes, because it reads it at start. */
function podAnnotations(plan: TenantPlan, module: ModulePlan): { annotations?: Record<string, string> } {
  if (module.name !== 'gateway') return {};
  const digest = createHash('sha256').update(JSON.stringify(gatewayConfigData(plan))).digest('hex').slice(0, 16);
  return { annotations: { 'platform.np.dev/modules-checksum': digest } };
}

/**
 * A stable name for the module inside the namespace; kept for disabled modules so callers get 503,
 * not DNS errors. An HTTP surface is offered on port 80, the ops endpoints on their own port.
 */
export function renderService(plan: TenantPlan, module: ModulePlan): KubernetesObject {
  const ports = containerPorts(module).map(({ name, containerPort }) => ({
    name,
    port: name === 'http' ? 80 : containerPort,
    targetPort: name,
    protocol: 'TCP',
  }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: ownedMetadata(plan, module.name, moduleLabels(plan, module.name)),
    spec: {
      type: 'ClusterIP',
      selector: moduleSelector(plan, module.name),
      ports,
    },
  } as KubernetesObject;
}

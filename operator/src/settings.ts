import { hostname } from 'node:os';
import { bool, logLevel, port, positiveInt, url } from '@np/config';
import { z } from 'zod';

/** Each server's settings: all of a group or none of it. */
const SERVER_GROUPS = [
  ['NP_DATABASE_URL'],
  ['NP_AMQP_MANAGEMENT_URL', 'NP_AMQP_URL'],
  ['NP_S3_URL', 'NP_S3_ACCESS_KEY', 'NP_S3_SECRET_KEY'],
  ['NP_KEYCLOAK_URL', 'NP_KEYCLOAK_ADMIN', 'NP_KEYCLOAK_ADMIN_PASSWORD'],
] as const;

/** Everything the operator reads from its environment, validated once at start. */
export const operatorSettingsSchema = z.object({
  LOG_LEVEL: logLevel,
  NP_OPS_PORT: port(8080),
  NP_OPS_HOST: z.string().default('127.0.0.1'),
  KUBECONFIG: z.string().optional(),
  /** Registry of the module images the operator deploys (`<registry>/<module>:<tag>`). */
  NP_OPERATOR_IMAGE_REGISTRY: z.string().min(1).default('ghcr.io/np-platform'),
  /** Tag used when a Tenant does not pin `spec.version`. */
  NP_OPERATOR_IMAGE_TAG: z.string().min(1).default('0.1.0'),
  /** Each tenant lives in `<prefix><tenant name>`. */
  NP_OPERATOR_NAMESPACE_PREFIX: z.string().regex(/^[a-z0-9]([-a-z0-9]*-)?$/, 'must be a DNS label prefix such as tenant-').default('tenant-'),
  /** Tenants reconciled at once (controller-runtime's MaxConcurrentReconciles). */
  NP_OPERATOR_CONCURRENCY: positiveInt(4),
  NP_OPERATOR_LEADER_ELECT: bool(true),
  NP_OPERATOR_LEASE_NAMESPACE: z.string().default('np-system'),
  NP_OPERATOR_LEASE_NAME: z.string().default('np-operator'),
  /** client-go's defaults: others take over 15 s after the leader stops renewing. */
  NP_OPERATOR_LEASE_DURATION_MS: positiveInt(15_000),
  NP_OPERATOR_RENEW_DEADLINE_MS: positiveInt(10_000),
  NP_OPERATOR_RETRY_PERIOD_MS: positiveInt(2_000),
  /** Leader identity; the pod name in a cluster. */
  POD_NAME: z.string().default(`${hostname()}-${process.pid}`),

  // The servers tenants get a share of, with their administrators' credentials: in a cluster from
  // the Secret the chart names (envFrom), locally from .local/servers.env (the same names). A kind
  // whose variables are absent is not configured: its condition says so and no tenant is Ready.
  /** PostgreSQL as a role with LOGIN CREATEDB CREATEROLE. */
  NP_DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  /** RabbitMQ's management API as an administrator (`http://user:password@host:15672`). */
  NP_AMQP_MANAGEMENT_URL: url(['http', 'https']).optional(),
  /** RabbitMQ's AMQP address; only its scheme, host and port are used (the modules' URLs). */
  NP_AMQP_URL: url(['amqp', 'amqps']).optional(),
  /** The S3 server's admin API and its root keys (versitygw). */
  NP_S3_URL: url(['http', 'https']).optional(),
  NP_S3_ACCESS_KEY: z.string().min(1).optional(),
  NP_S3_SECRET_KEY: z.string().min(1).optional(),
  NP_S3_REGION: z.string().min(1).default('us-east-1'),
  /** Keycloak and an administrator of its `NP_KEYCLOAK_ADMIN_REALM`. */
  NP_KEYCLOAK_URL: url(['http', 'https']).optional(),
  NP_KEYCLOAK_ADMIN: z.string().min(1).optional(),
  NP_KEYCLOAK_ADMIN_PASSWORD: z.string().min(1).optional(),
  NP_KEYCLOAK_ADMIN_REALM: z.string().min(1).default('master'),
  /** Where modules reach the servers from inside the cluster, when not at the admin addresses. */
  NP_OPERATOR_MODULES_DATABASE_URL: url(['postgres', 'postgresql']).optional(),
  NP_OPERATOR_MODULES_AMQP_URL: url(['amqp', 'amqps']).optional(),
  /** RabbitMQ's management API as modules (backoffice, queue-depth scaling) reach it; its credentials are never used. */
  NP_OPERATOR_MODULES_AMQP_MANAGEMENT_URL: url(['http', 'https']).optional(),
  NP_OPERATOR_MODULES_S3_URL: url(['http', 'https']).optional(),
  NP_OPERATOR_MODULES_KEYCLOAK_URL: url(['http', 'https']).optional(),
  /** Organization mode: the realm every such tenant shares, and its two confidential clients' secrets. */
  NP_OPERATOR_ORGANIZATION_REALM: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label').default('np-tenants'),
  NP_OPERATOR_ORGANIZATION_GATEWAY_SECRET: z.string().min(16).optional(),
  NP_OPERATOR_ORGANIZATION_USERS_SECRET: z.string().min(16).optional(),
  /** KEDA's polling interval for queue-depth scaling, in seconds (KEDA's default is 30; a sleeping module waits for the next poll to wake). */
  NP_OPERATOR_SCALER_POLLING_SECONDS: positiveInt(2),
  /** How long the tenant's requests wait for a module that has no running replica (asleep at zero, restarting): its cold start budget. */
  NP_OPERATOR_COLD_START_MS: positiveInt(30_000),
  /** How often a converged Tenant is checked against the servers again (their drift sends no watch event). */
  NP_OPERATOR_INFRASTRUCTURE_RESYNC_MS: positiveInt(600_000),
}).superRefine((settings, context) => {
  // Half a server's settings is a mistake, not a choice to leave the kind out.
  for (const group of SERVER_GROUPS) {
    const given = group.filter((key) => settings[key] !== undefined);
    if (given.length === 0 || given.length === group.length) continue;
    for (const key of group.filter((name) => settings[name] === undefined)) {
      context.addIssue({ code: 'custom', path: [key], message: `is required with ${given.join(', ')}` });
    }
  }
});

export type OperatorSettings = z.output<typeof operatorSettingsSchema>;

/** The part of the settings that decides what a Tenant renders to. */
export interface RenderSettings {
  imageRegistry: string;
  defaultImageTag: string;
  namespacePrefix: string;
  /** The operator's own namespace (its Lease's): where a Retained tenant's credentials wait for it. */
  operatorNamespace: string;
  /** KEDA's API is served: modules with queue settings scale through it; without it, on CPU only. */
  keda: boolean;
  /** How often KEDA reads a module's queues; a sleeping module wakes within about this long of its first request. */
  scalerPollingSeconds: number;
  /** How long a request waits for a module with no running replica (asleep, restarting) before module_timeout. */
  coldStartMs: number;
}

export function renderSettingsFrom(settings: OperatorSettings, cluster: { keda: boolean }): RenderSettings {
  return {
    keda: cluster.keda,
    scalerPollingSeconds: settings.NP_OPERATOR_SCALER_POLLING_SECONDS,
    coldStartMs: settings.NP_OPERATOR_COLD_START_MS,
    imageRegistry: settings.NP_OPERATOR_IMAGE_REGISTRY,
    defaultImageTag: settings.NP_OPERATOR_IMAGE_TAG,
    namespacePrefix: settings.NP_OPERATOR_NAMESPACE_PREFIX,
    operatorNamespace: settings.NP_OPERATOR_LEASE_NAMESPACE,
  };
}

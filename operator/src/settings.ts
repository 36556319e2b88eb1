import { hostname } from 'node:os';
import { bool, logLevel, port, positiveInt } from '@np/config';
import { z } from 'zod';

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
});

export type OperatorSettings = z.output<typeof operatorSettingsSchema>;

/** The part of the settings that decides what a Tenant renders to. */
export interface RenderSettings {
  imageRegistry: string;
  defaultImageTag: string;
  namespacePrefix: string;
}

export function renderSettingsFrom(settings: OperatorSettings): RenderSettings {
  return {
    imageRegistry: settings.NP_OPERATOR_IMAGE_REGISTRY,
    defaultImageTag: settings.NP_OPERATOR_IMAGE_TAG,
    namespacePrefix: settings.NP_OPERATOR_NAMESPACE_PREFIX,
  };
}

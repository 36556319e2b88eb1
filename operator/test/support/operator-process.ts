import { createLogger } from '@np/observability';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { operatorSettingsSchema, type OperatorSettings } from '../../src/settings.js';
import { kubeconfigPath } from './tools.js';


/** The servers of tools/servers-up.sh, by the names .local/servers.env gives them (sourced before the suites). */
export const SERVER_SETTINGS = [
  'NP_DATABASE_URL',
  'NP_AMQP_URL',
  'NP_AMQP_MANAGEMENT_URL',
  'NP_S3_URL',
  'NP_S3_ACCESS_KEY',
  'NP_S3_SECRET_KEY',
  'NP_S3_REGION',
  'NP_KEYCLOAK_URL',
  'NP_KEYCLOAK_ADMIN',
  'NP_KEYCLOAK_ADMIN_PASSWORD',
] as const;

export function serverSettings(): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const key of SERVER_SETTINGS) {
    const value = process.env[key];
    if (value === undefined) throw new Error(`${key} is not set: run tools/servers-up.sh and source .local/servers.env`);
    settings[key] = value;
  }
  return settings;
}

/**
 * Settings for an operator under test: the local control plane, the servers, a free ops port,
 * loopback only. Overrides set to '' are left out (a kind not configured).
 */
export function testSettings(overrides: Record<string, string> = {}): OperatorSettings {
  const merged: Record<string, string> = {
    ...serverSettings(),
    KUBECONFIG: kubeconfigPath(),
    NP_OPS_PORT: '0',
    NP_OPERATOR_LEADER_ELECT: 'false',
    NP_OPERATOR_IMAGE_REGISTRY: 'registry.test/np',
    NP_OPERATOR_CONCURRENCY: '4',
    // Where Retained tenants' credentials are kept; np-system does not exist on the test cluster.
    NP_OPERATOR_LEASE_NAMESPACE: 'default',
    ...overrides,
  };
  return operatorSettingsSchema.parse(Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== '')));
}

/** The operator running inside the test process (coverage, direct access to its caches and metrics). */
export async function startTestOperator(overrides: Record<string, string> = {}): Promise<RunningOperator> {
  const logger = createLogger({ service: 'operator-test', level: process.env.NP_TEST_OPERATOR_LOG ?? 'silent' });
  const operator = await startOperator(testSettings(overrides), logger, () => {
    throw new Error('the in-process operator lost its lease');
  });
  await operator.leading;
  return operator;
}

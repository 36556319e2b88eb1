import { createLogger } from '@np/observability';
import { startOperator, type RunningOperator } from '../../src/operator.js';
import { operatorSettingsSchema, type OperatorSettings } from '../../src/settings.js';
import { kubeconfigPath } from './tools.js';


/** Settings for an operator under test: the local control plane, a free ops port, loopback only. */
export function testSettings(overrides: Record<string, string> = {}): OperatorSettings {
  return operatorSettingsSchema.parse({
    KUBECONFIG: kubeconfigPath(),
    NP_OPS_PORT: '0',
    NP_OPERATOR_LEADER_ELECT: 'false',
    NP_OPERATOR_IMAGE_REGISTRY: 'registry.test/np',
    NP_OPERATOR_CONCURRENCY: '4',
    ...overrides,
  });
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

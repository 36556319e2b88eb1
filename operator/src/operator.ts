import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { createMetricsRegistry, startOpsServer, type Logger } from '@np/observability';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { servesKind } from './runtime/api-discovery.js';
import { LeaderElector } from './runtime/leader-election.js';
import { leaderElectionMetrics } from './runtime/metrics.js';
import { renderSettingsFrom, type OperatorSettings } from './settings.js';
import { infrastructureSettingsFrom } from './provisioning/infrastructure-settings.js';
import { KEDA_API_VERSION } from './tenant/render/module-scaling.js';
import { TenantController } from './tenant/tenant-controller.js';

export interface RunningOperator {
  registry: Registry;
  ops: FastifyInstance;
  /** Resolves once this replica leads and its controller runs. */
  leading: Promise<TenantController | undefined>;
  /** Clean shutdown: stop reconciling, release the lease so a standby takes over at once. */
  stop(): Promise<void>;
}

export function loadKubeConfig(path: string | undefined): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (path) kubeConfig.loadFromFile(path);
  else kubeConfig.loadFromDefault();
  return kubeConfig;
}

/**
 * Starts the operator: ops endpoints at once, then (after winning the Lease when leader election is
 * on) the caches and the Tenant controller. Losing the Lease ends the process, as in
 * controller-runtime, so two replicas can never reconcile at the same time.
 */
export async function startOperator(settings: OperatorSettings, logger: Logger, onLeadershipLost: () => void): Promise<RunningOperator> {
  const kubeConfig = loadKubeConfig(settings.KUBECONFIG);
  const registry = createMetricsRegistry('operator');
  let controller: TenantController | undefined;
  let elector: LeaderElector | undefined;
  const abort = new AbortController();
  const ops = await startOpsServer({
    registry,
    port: settings.NP_OPS_PORT,
    host: settings.NP_OPS_HOST,
    // A standby is ready (it can take over); a leader once its caches are filled.
    checks: [{ name: 'controller', check: () => controller !== undefined || (elector !== undefined && !elector.isLeader()) }],
  });

  const lead = async (): Promise<TenantController | undefined> => {
    if (settings.NP_OPERATOR_LEADER_ELECT) {
      elector = new LeaderElector({
        api: kubeConfig.makeApiClient(CoordinationV1Api),
        namespace: settings.NP_OPERATOR_LEASE_NAMESPACE,
        name: settings.NP_OPERATOR_LEASE_NAME,
        identity: settings.POD_NAME,
        leaseDurationMs: settings.NP_OPERATOR_LEASE_DURATION_MS,
        renewDeadlineMs: settings.NP_OPERATOR_RENEW_DEADLINE_MS,
        retryPeriodMs: settings.NP_OPERATOR_RETRY_PERIOD_MS,
        logger,
        metrics: leaderElectionMetrics(registry, settings.NP_OPERATOR_LEASE_NAME),
      });
      elector.onLost(onLeadershipLost);
      if (!(await elector.acquire(abort.signal))) return undefined;
      logger.info({ identity: settings.POD_NAME }, 'became the leader');
    }
    // KEDA is looked for once, as the controller starts: installing it later takes an operator restart.
    const keda = await servesKind(kubeConfig, KEDA_API_VERSION, 'ScaledObject');
    logger.info({ keda }, keda ? 'KEDA is installed: modules with queue settings scale on their queues' : 'KEDA is not installed: every module scales on CPU');
    const started = new TenantController({
      kubeConfig,
      settings: renderSettingsFrom(settings, { keda }),
      infrastructure: infrastructureSettingsFrom(settings),
      logger,
      registry,
      concurrency: settings.NP_OPERATOR_CONCURRENCY,
    });
    await started.start();
    controller = started;
    return started;
  };

  const leading = lead();
  return {
    registry,
    ops,
    leading,
    stop: async () => {
      abort.abort();
      await leading.catch(() => undefined);
      await controller?.stop();
      await elector?.release();
      await ops.close();
    },
  };
}

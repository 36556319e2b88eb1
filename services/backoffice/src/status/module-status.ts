import { Inject, Injectable } from '@nestjs/common';
import { RabbitMqManagement, type Transport } from '@np/messaging';
import { MODULE_MANIFEST, type ModuleEntry } from '@np/modules';
import type { Logger } from '@np/observability';
import { LOGGER, SETTINGS } from '@np/runtime';
import type { ModuleStatus } from '../contracts/index.js';
import type { BackofficeSettings } from '../settings.js';
import { readReportedStatus, type ReportedModule } from './reported-status.js';

export const TRANSPORT = Symbol('TRANSPORT');

type QueueStats = Map<string, { messages: number; consumers: number }>;

/**
 * Each module's state, from the best source the shape has:
 * - one process (the in-process bus): the process itself, where every implemented module runs;
 * - the cluster shape: the Tenant's status (a file the operator keeps, NP_MODULE_STATUS_FILE) for
 *   enabled, desired, ready and asleep, and the broker for queue depth;
 * - RabbitMQ without that file: the broker alone, where the consumers of a module's request queue
 *   are its replicas.
 * Queue depth is the ready messages of the module's request and event queues (the management API,
 * NP_AMQP_MANAGEMENT_URL, as the tenant's monitoring user); without that API, not known.
 */
@Injectable()
export class ModuleStatusService {
  constructor(
    @Inject(TRANSPORT) private readonly transport: Pick<Transport, 'kind' | 'isReady'>,
    @Inject(SETTINGS) private readonly settings: Pick<BackofficeSettings, 'NP_MODULES' | 'NP_AMQP_URL' | 'NP_AMQP_MANAGEMENT_URL' | 'NP_MODULE_STATUS_FILE'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(): Promise<ModuleStatus[]> {
    const modules = MODULE_MANIFEST.filter((entry) => entry.kind === 'module');
    if (this.transport.kind === 'in-process') return modules.map((entry) => this.inProcess(entry));
    const [reported, queues] = await Promise.all([this.reportedStatus(), this.brokerQueues()]);
    return modules.map((entry) => {
      const queueDepth = queues ? (queues.get(`rpc.${entry.name}`)?.messages ?? 0) + (queues.get(`events.${entry.name}`)?.messages ?? 0) : null;
      const report = reported?.get(entry.name);
      if (report) return { name: entry.name, ...fromReport(report), queueDepth };
      const enabled = entry.alwaysOn || this.enabledModules().has(entry.name);
      if (!queues) return { name: entry.name, enabled, ready: null, replicas: null, desired: null, asleep: null, queueDepth };
      const replicas = queues.get(`rpc.${entry.name}`)?.consumers ?? 0;
      return { name: entry.name, enabled, ready: replicas > 0, replicas, desired: null, asleep: null, queueDepth };
    });
  }

  private inProcess(entry: ModuleEntry): ModuleStatus {
    const enabled = entry.alwaysOn || this.enabledModules().has(entry.name);
    const replicas = entry.implemented ? 1 : 0;
    return { name: entry.name, enabled, ready: entry.implemented && this.transport.isReady(), replicas, desired: replicas, asleep: false, queueDepth: 0 };
  }

  private enabledModules(): Set<string> {
    return new Set(this.settings.NP_MODULES.split(',').map((name) => name.trim()));
  }

  private async reportedStatus(): Promise<Map<string, ReportedModule> | undefined> {
    if (!this.settings.NP_MODULE_STATUS_FILE) return undefined;
    try {
      return await readReportedStatus(this.settings.NP_MODULE_STATUS_FILE);
    } catch (error) {
      // Before the operator's first write the mounted file is absent; the broker still answers.
      this.logger.warn({ err: error }, 'the module status file is missing or unreadable; module status from the broker');
      return undefined;
    }
  }

  private async brokerQueues(): Promise<QueueStats | undefined> {
    if (!this.settings.NP_AMQP_MANAGEMENT_URL) return undefined;
    const vhost = decodeURIComponent(new URL(this.settings.NP_AMQP_URL).pathname.slice(1)) || '/';
    try {
      const queues = await new RabbitMqManagement(this.settings.NP_AMQP_MANAGEMENT_URL).queues(vhost);
      return new Map(queues.map((queue) => [queue.name, queue]));
    } catch (error) {
      this.logger.warn({ err: error }, 'the broker management API did not answer; queue depths unknown');
      return undefined;
    }
  }
}

/** Ready: running every replica it should, at least one. Asleep: enabled, scaled to zero by its traffic. */
function fromReport(report: ReportedModule): Omit<ModuleStatus, 'name' | 'queueDepth'> {
  const asleep = report.asleep ?? false;
  return {
    enabled: report.enabled,
    ready: report.enabled && report.desired > 0 && report.ready >= report.desired,
    replicas: report.ready,
    desired: report.desired,
    asleep,
  };
}

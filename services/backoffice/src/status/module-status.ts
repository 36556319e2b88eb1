import { Inject, Injectable } from '@nestjs/common';
import { RabbitMqManagement, type Transport } from '@np/messaging';
import { MODULE_MANIFEST } from '@np/modules';
import type { Logger } from '@np/observability';
import { LOGGER, SETTINGS } from '@np/runtime';
import type { ModuleStatus } from '../contracts/index.js';
import type { BackofficeSettings } from '../settings.js';

export const TRANSPORT = Symbol('TRANSPORT');

/**
 * Each module's state. In one process (the in-process bus) the answer is the process itself:
 * every implemented module runs in it. Over RabbitMQ it is the broker's: the consumers of the
 * module's request queue are its replicas, its request and event queues' ready messages its
 * depth (the management API, NP_AMQP_MANAGEMENT_URL); without that API, not known.
 */
@Injectable()
export class ModuleStatusService {
  constructor(
    @Inject(TRANSPORT) private readonly transport: Pick<Transport, 'kind' | 'isReady'>,
    @Inject(SETTINGS) private readonly settings: Pick<BackofficeSettings, 'NP_MODULES' | 'NP_AMQP_URL' | 'NP_AMQP_MANAGEMENT_URL'>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(): Promise<ModuleStatus[]> {
    const enabled = new Set(this.settings.NP_MODULES.split(',').map((name) => name.trim()));
    const modules = MODULE_MANIFEST.filter((entry) => entry.kind === 'module');
    const queues = this.transport.kind === 'rabbitmq' ? await this.brokerQueues() : undefined;
    return modules.map((entry) => {
      const isEnabled = entry.alwaysOn || enabled.has(entry.name);
      if (this.transport.kind === 'in-process') {
        return { name: entry.name, enabled: isEnabled, ready: entry.implemented && this.transport.isReady(), replicas: entry.implemented ? 1 : 0, queueDepth: 0 };
      }
      if (!queues) return { name: entry.name, enabled: isEnabled, ready: null, replicas: null, queueDepth: null };
      const rpc = queues.get(`rpc.${entry.name}`);
      const events = queues.get(`events.${entry.name}`);
      const replicas = rpc?.consumers ?? 0;
      return { name: entry.name, enabled: isEnabled, ready: replicas > 0, replicas, queueDepth: (rpc?.messages ?? 0) + (events?.messages ?? 0) };
    });
  }

  private async brokerQueues(): Promise<Map<string, { messages: number; consumers: number }> | undefined> {
    if (!this.settings.NP_AMQP_MANAGEMENT_URL) return undefined;
    const vhost = decodeURIComponent(new URL(this.settings.NP_AMQP_URL).pathname.slice(1)) || '/';
    try {
      const queues = await new RabbitMqManagement(this.settings.NP_AMQP_MANAGEMENT_URL).queues(vhost);
      return new Map(queues.map((queue) => [queue.name, queue]));
    } catch (error) {
      this.logger.warn({ err: error }, 'the broker management API did not answer; module status unknown');
      return undefined;
    }
  }
}

import type { ServiceName } from '@np/contracts';

/** RabbitMQ's three permission regexes of a user in one vhost. */
export interface AmqpPermissions {
  configure: string;
  write: string;
  read: string;
}

/** A name as a regex matching only itself (RabbitMQ's permissions, KEDA's queue patterns). */
export function escapeRegex(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/**
 * What a service may touch in its vhost, and nothing more: its own request queue (modules
 * only), its own event queues (`events.<service>`, its DLQ and broadcast queues), the event
 * exchanges, and the default exchange to send requests and replies. RabbitMQ's own access table
 * decides the verbs: declaring needs configure, binding needs write on the queue and read on the
 * exchange, publishing needs write on the exchange, consuming needs read on the queue.
 */
export function amqpPermissionsFor(service: ServiceName): AmqpPermissions {
  const s = escapeRegex(service);
  const own = `events\\.${s}(\\..+)?`;
  const rpc = service === 'gateway' ? [] : [`rpc\\.${s}`];
  const exchanges = ['np\\.events', 'np\\.events\\.dlx'];
  return {
    configure: `^(${[...rpc, own, ...exchanges].join('|')})$`,
    write: `^(${['amq\\.default', own, ...exchanges].join('|')})$`,
    read: `^(${[...rpc, own, ...exchanges].join('|')})$`,
  };
}

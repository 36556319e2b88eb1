import { amqpPermissionsFor, DEAD_LETTER_EXCHANGE, type AmqpPermissions } from '@np/messaging';
import { moduleEntry } from '@np/modules';
import { OWNER_MARKER, type Account } from '../provisioner.js';
import { DEFAULT_MESSAGING_LIMITS, type MessagingSpec } from './messaging-spec.js';

/**
 * The monitoring user's tag. RabbitMQ's `monitoring` tag shows every vhost's name and every
 * connection and channel on the broker (other tenants' users and client addresses included);
 * `management` shows only the vhosts the user has permissions in, which is all queue-depth
 * scaling needs (GET /api/queues/<vhost>/<queue>).
 */
export const MONITOR_TAG = 'management';

/** Permissions that match no name: the user may enter the vhost (and so see it in the API) and do nothing in it. */
export const NO_PERMISSIONS: AmqpPermissions = { configure: '^$', write: '^$', read: '^$' };

export interface DesiredUser {
  account: Account;
  /** Every tag, the owner marker included, sorted. */
  tags: string[];
  permissions: AmqpPermissions;
}

export interface Policy {
  pattern: string;
  'apply-to': 'queues';
  priority: number;
  definition: Record<string, string | number>;
}

export interface DesiredMessaging {
  vhost: string;
  /**
   * Each bus module's request queue, declared as the module declares it (durable, no arguments):
   * a request to a module that is not running, asleep at zero or never started, waits there
   * (the gateway lets it, for its cold start budget) and its depth is what wakes the module.
   */
  requestQueues: string[];
  description: string;
  users: DesiredUser[];
  policies: Record<string, Policy>;
  maxQueues: number;
}

/**
 * What the tenant's vhost holds, from its spec. RabbitMQ gives a queue one policy: the
 * highest-priority one that matches its name and that its queue type accepts (3.10 skips a policy
 * with `delivery-limit` for a classic queue). So each family of queue a module may declare (its
 * permissions allow no others) gets one complete policy, and a quorum variant with the delivery
 * limit one priority above the classic one:
 * - event queues (`events.<module>` quorum, broadcast queues classic): dead-lettered to the
 *   platform's DLX, length limit, and the delivery limit on quorum queues;
 * - dead-letter queues (`events.<module>.dlq`): length limit only (no DLX: nothing loops back);
 * - request queues (`rpc.<module>`): length limit (and delivery limit if quorum) but no DLX:
 *   expired requests carry passwords and tokens, and a module that binds a queue to the DLX
 *   could read them.
 * Full queues refuse publishes (`reject-publish`): the publisher learns it (a nack) rather than
 * the oldest message being dropped silently.
 */
export function desiredMessaging(spec: MessagingSpec): DesiredMessaging {
  const limits = spec.limits ?? DEFAULT_MESSAGING_LIMITS;
  const bounded = { 'max-length': limits.maxLength, overflow: 'reject-publish' };
  const limited = { 'delivery-limit': limits.deliveryLimit };
  const deadLettered = { 'dead-letter-exchange': DEAD_LETTER_EXCHANGE };
  return {
    vhost: spec.vhost,
    requestQueues: spec.modules.flatMap((entry) => {
      const queue = moduleEntry(entry.module).bus?.queue;
      return queue ? [queue] : [];
    }),
    description: `${OWNER_MARKER}: tenant ${spec.tenant}`,
    users: [
      ...spec.modules.map((entry) => ({ account: entry.account, tags: [OWNER_MARKER], permissions: amqpPermissionsFor(entry.module) })),
      { account: spec.monitor, tags: [MONITOR_TAG, OWNER_MARKER].sort(), permissions: NO_PERMISSIONS },
    ],
    policies: {
      'np-events-quorum': policy('^events\\.', 1, { ...deadLettered, ...bounded, ...limited }),
      'np-events': policy('^events\\.', 0, { ...deadLettered, ...bounded }),
      'np-dead-letters': policy('^events\\..+\\.dlq$', 2, bounded),
      'np-requests-quorum': policy('^rpc\\.', 1, { ...bounded, ...limited }),
      'np-requests': policy('^rpc\\.', 0, bounded),
    },
    maxQueues: limits.maxQueues,
  };
}

function policy(pattern: string, priority: number, definition: Policy['definition']): Policy {
  return { pattern, 'apply-to': 'queues', priority, definition };
}

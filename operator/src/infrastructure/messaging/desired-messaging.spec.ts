import { describe, expect, it } from '@jest/globals';
import { amqpPermissionsFor } from '@np/messaging';
import { OWNER_MARKER } from '../provisioner.js';
import { desiredMessaging, MONITOR_TAG, NO_PERMISSIONS } from './desired-messaging.js';
import { assertMessagingSpec, DEFAULT_MESSAGING_LIMITS, tenantVhost, type MessagingSpec } from './messaging-spec.js';

const password = 'p'.repeat(24);
const spec: MessagingSpec = {
  tenant: 'acme',
  vhost: tenantVhost('acme'),
  modules: [
    { module: 'gateway', account: { username: 'tenant-acme.gateway', password } },
    { module: 'users', account: { username: 'tenant-acme.users', password } },
  ],
  monitor: { username: 'tenant-acme.monitor', password },
};

describe('desiredMessaging', () => {
  it("gives each module exactly @np/messaging's permissions and the monitor none", () => {
    const { users } = desiredMessaging(spec);
    expect(users.map((user) => [user.account.username, user.tags, user.permissions])).toEqual([
      ['tenant-acme.gateway', [OWNER_MARKER], amqpPermissionsFor('gateway')],
      ['tenant-acme.users', [OWNER_MARKER], amqpPermissionsFor('users')],
      ['tenant-acme.monitor', [MONITOR_TAG, OWNER_MARKER].sort(), NO_PERMISSIONS],
    ]);
  });

  it('dead-letters event queues to the platform DLX but never request queues, and bounds every queue', () => {
    const { policies, maxQueues } = desiredMessaging({ ...spec, limits: { maxQueues: 7, maxLength: 9, deliveryLimit: 3 } });
    expect(maxQueues).toBe(7);
    const matching = (queue: string) =>
      Object.entries(policies)
        .filter(([, policy]) => new RegExp(policy.pattern).test(queue))
        .sort(([, x], [, y]) => y.priority - x.priority)
        .map(([name]) => name);
    expect(matching('events.users')).toEqual(['np-events-quorum', 'np-events']);
    expect(matching('events.users.broadcast.abc')).toEqual(['np-events-quorum', 'np-events']);
    expect(matching('events.users.dlq')[0]).toBe('np-dead-letters');
    expect(matching('rpc.users')).toEqual(['np-requests-quorum', 'np-requests']);
    for (const policy of Object.values(policies)) expect(policy.definition).toMatchObject({ 'max-length': 9, overflow: 'reject-publish' });
    expect(policies['np-events-quorum']?.definition).toEqual({ 'dead-letter-exchange': 'np.events.dlx', 'delivery-limit': 3, 'max-length': 9, overflow: 'reject-publish' });
    for (const name of ['np-requests', 'np-requests-quorum', 'np-dead-letters']) expect(policies[name]?.definition).not.toHaveProperty('dead-letter-exchange');
  });

  it('uses the default limits when the spec sets none', () => {
    expect(desiredMessaging(spec).maxQueues).toBe(DEFAULT_MESSAGING_LIMITS.maxQueues);
  });
});

describe('assertMessagingSpec', () => {
  it('refuses a spec built wrong', () => {
    expect(() => assertMessagingSpec({ ...spec, monitor: { username: 'tenant-acme.users', password } })).toThrow('must be distinct');
    expect(() => assertMessagingSpec({ ...spec, monitor: { username: 'm', password: 'short' } })).toThrow('at least 16 printable ASCII');
    expect(() => assertMessagingSpec({ ...spec, monitor: { username: 'm', password: 'é'.repeat(20) } })).toThrow('printable ASCII');
    expect(() => assertMessagingSpec({ ...spec, limits: { maxQueues: 0, maxLength: 1, deliveryLimit: 1 } })).toThrow('limits.maxQueues');
    expect(() => assertMessagingSpec(spec)).not.toThrow();
  });
});

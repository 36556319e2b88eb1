import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { amqpPermissionsFor, amqpUrlFor, DEAD_LETTER_EXCHANGE } from '@np/messaging';
import { testAmqpManagementUrl, testAmqpUrl } from '@np/testing';
import { NotOwnedError, OWNER_MARKER, ServerUnavailableError } from '../../src/infrastructure/provisioner.js';
import { MONITOR_TAG, RabbitMqProvisioner, tenantVhost, type MessagingLimits, type MessagingSpec } from '../../src/infrastructure/messaging/index.js';
import { amqpOpen } from './amqp-handshake.js';
import { account, closedPort, eventually, newPassword, rejectionOf, uniqueTenant } from './support.js';

const admin = new URL(testAmqpManagementUrl());
const adminAccount = { username: decodeURIComponent(admin.username), password: decodeURIComponent(admin.password) };

/** The management API as `who` (the administrator by default). */
async function management(path: string, init: RequestInit = {}, who = adminAccount): Promise<Response> {
  const auth = Buffer.from(`${who.username}:${who.password}`).toString('base64');
  return fetch(`${admin.protocol}//${admin.host}/api${path}`, {
    ...init,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', ...init.headers },
  });
}

async function json(path: string, who = adminAccount): Promise<unknown> {
  const response = await management(path, {}, who);
  expect(response.status).toBe(200);
  return response.json();
}

function specFor(tenant: string, limits?: MessagingLimits): MessagingSpec {
  const vhost = tenantVhost(tenant);
  return {
    tenant,
    vhost,
    modules: (['gateway', 'auth', 'users'] as const).map((module) => ({ module, account: account(`${vhost}.${module}`) })),
    monitor: account(`${vhost}.monitor`),
    ...(limits ? { limits } : {}),
  };
}

function moduleAccount(spec: MessagingSpec, module: string) {
  const entry = spec.modules.find((candidate) => candidate.module === module);
  if (!entry) throw new Error(`no ${module} in the spec`);
  return entry.account;
}

const connections: ChannelModel[] = [];
async function open(vhost: string, who: { username: string; password: string }): Promise<ChannelModel> {
  const connection = await connect(amqpUrlFor(testAmqpUrl(), vhost, who.username, who.password));
  connection.on('error', () => undefined);
  connections.push(connection);
  return connection;
}

/** The error a channel is closed with after `act` (the broker answers refused operations by closing the channel). */
async function channelError(connection: ChannelModel, act: (channel: Channel) => unknown): Promise<string> {
  const channel = await connection.createChannel();
  const closed = new Promise<string>((resolve) => channel.on('error', (error: Error) => resolve(error.message)));
  try {
    await act(channel);
  } catch {
    // the same error arrives on the channel
  }
  return closed;
}

describe('RabbitMqProvisioner against the real broker', () => {
  const provisioner = new RabbitMqProvisioner({ managementUrl: testAmqpManagementUrl() });
  const tenantA = uniqueTenant('mqa');
  const tenantB = uniqueTenant('mqb');
  const a = specFor(tenantA, { maxQueues: 10, maxLength: 2, deliveryLimit: 2 });
  const b = specFor(tenantB);
  const hijacked = specFor(uniqueTenant('mqh'));

  beforeAll(async () => {
    await provisioner.ensure(a);
    await provisioner.ensure(b);
  });

  afterAll(async () => {
    await Promise.allSettled(connections.map((connection) => connection.close()));
    await Promise.allSettled([a, b].map((spec) => provisioner.remove(spec)));
    await management(`/vhosts/${encodeURIComponent(hijacked.vhost)}`, { method: 'DELETE' });
    await management(`/users/${encodeURIComponent(hijacked.monitor.username)}`, { method: 'DELETE' });
  });

  it('creates the vhost with the marker, the users with exactly their module permissions, the policies and the queue limit', async () => {
    const vhost = (await json(`/vhosts/${encodeURIComponent(a.vhost)}`)) as { description: string; tags: string[]; default_queue_type: string };
    expect(vhost.tags).toContain(OWNER_MARKER);
    expect(vhost.description).toBe(`${OWNER_MARKER}: tenant ${tenantA}`);
    // RabbitMQ 3.10 has no default queue type per vhost (3.11+ does, and gets quorum).
    const { rabbitmq_version: version } = (await json('/overview')) as { rabbitmq_version: string };
    expect(vhost.default_queue_type).toBe(version.startsWith('3.10.') ? 'undefined' : 'quorum');

    for (const { module, account: user } of a.modules) {
      expect(await json(`/users/${encodeURIComponent(user.username)}/permissions`)).toEqual([
        { user: user.username, vhost: a.vhost, ...amqpPermissionsFor(module) },
      ]);
      expect(((await json(`/users/${encodeURIComponent(user.username)}`)) as { tags: string[] }).tags).toEqual([OWNER_MARKER]);
    }
    expect(await json(`/users/${encodeURIComponent(a.monitor.username)}/permissions`)).toEqual([
      { user: a.monitor.username, vhost: a.vhost, configure: '^$', write: '^$', read: '^$' },
    ]);
    expect(((await json(`/users/${encodeURIComponent(a.monitor.username)}`)) as { tags: string[] }).tags.sort()).toEqual([MONITOR_TAG, OWNER_MARKER].sort());

    const policies = (await json(`/policies/${encodeURIComponent(a.vhost)}`)) as { name: string; pattern: string; definition: Record<string, unknown> }[];
    expect(Object.fromEntries(policies.map((policy) => [policy.name, policy.definition]))).toEqual({
      'np-events-quorum': { 'dead-letter-exchange': DEAD_LETTER_EXCHANGE, 'delivery-limit': 2, 'max-length': 2, overflow: 'reject-publish' },
      'np-events': { 'dead-letter-exchange': DEAD_LETTER_EXCHANGE, 'max-length': 2, overflow: 'reject-publish' },
      'np-dead-letters': { 'max-length': 2, overflow: 'reject-publish' },
      'np-requests-quorum': { 'delivery-limit': 2, 'max-length': 2, overflow: 'reject-publish' },
      'np-requests': { 'max-length': 2, overflow: 'reject-publish' },
    });
    expect(await json(`/vhost-limits/${encodeURIComponent(a.vhost)}`)).toEqual([{ vhost: a.vhost, value: { 'max-queues': 10 } }]);
    // The bus modules' request queues exist before any module runs: a request waits there for it.
    const queues = (await json(`/queues/${encodeURIComponent(a.vhost)}`)) as { name: string; durable: boolean; arguments: object }[];
    expect(queues.map((queue) => [queue.name, queue.durable, queue.arguments])).toEqual([['rpc.auth', true, {}], ['rpc.users', true, {}]]);
  });

  it('makes no write on a second ensure of a converged tenant', async () => {
    const before = { ...provisioner.calls };
    await provisioner.ensure(a);
    await provisioner.ensure(b);
    expect(provisioner.calls.writes).toBe(before.writes);
    // Per tenant: the vhost, each of the 4 users and its permissions, the policies, the limits, the queues.
    expect(provisioner.calls.reads - before.reads).toBe(2 * (1 + 4 * 2 + 2 + 1));
  });

  it("refuses tenant A's module credentials on tenant B's vhost, and a module what another module owns", async () => {
    const users = moduleAccount(a, 'users');
    const url = (vhost: string, who: { username: string; password: string }) => amqpUrlFor(testAmqpUrl(), vhost, who.username, who.password);
    expect(await amqpOpen(url(b.vhost, users))).toEqual({ code: 530, text: `NOT_ALLOWED - access to vhost '${b.vhost}' refused for user '${users.username}'` });
    expect(await amqpOpen(url(a.vhost, { username: users.username, password: moduleAccount(b, 'users').password }))).toEqual({
      code: 403,
      text: 'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.',
    });
    expect(await amqpOpen(url(a.vhost, users))).toBe('open-ok');
    // amqplib sees the same refusal, without the broker's words.
    await expect(open(b.vhost, users)).rejects.toThrow('Expected ConnectionOpenOk; got <ConnectionClose channel:0>');

    const own = await open(a.vhost, users);
    expect(await channelError(own, (channel) => channel.consume('rpc.auth', () => undefined))).toContain(
      `ACCESS_REFUSED - access to queue 'rpc.auth' in vhost '${a.vhost}' refused for user '${users.username}'`,
    );
    expect(await channelError(own, (channel) => channel.assertQueue('rpc.auth', { durable: true }))).toContain(
      `ACCESS_REFUSED - access to queue 'rpc.auth' in vhost '${a.vhost}' refused for user '${users.username}'`,
    );
  });

  it('lets the monitor read queue depth and nothing else: no publish, no declare, no other tenant', async () => {
    const auth = await open(a.vhost, moduleAccount(a, 'auth'));
    const channel = await auth.createConfirmChannel();
    await channel.assertQueue('events.auth', { durable: true });
    channel.sendToQueue('events.auth', Buffer.from('{}'));
    await channel.waitForConfirms();

    await eventually(async () => {
      const response = await management(`/queues/${encodeURIComponent(a.vhost)}/events.auth`, {}, a.monitor);
      return response.status === 200 && ((await response.json()) as { messages?: number }).messages === 1;
    });
    const otherTenant = await management(`/queues/${encodeURIComponent(b.vhost)}/events.auth`, {}, a.monitor);
    expect(otherTenant.status).toBe(401);
    expect(await otherTenant.json()).toEqual({ error: 'not_authorised', reason: 'User not authorised to access virtual host' });
    expect(((await json('/vhosts', a.monitor)) as { name: string }[]).map((vhost) => vhost.name)).toEqual([a.vhost]);
    // Another tenant's connections stay out of sight (the `monitoring` tag would show them).
    await open(b.vhost, moduleAccount(b, 'auth'));
    await eventually(async () => ((await json(`/vhosts/${encodeURIComponent(b.vhost)}/connections`)) as unknown[]).length > 0, 15_000, 250);
    const seen = (await json('/connections', a.monitor)) as { vhost: string }[];
    expect(seen.every((connection) => connection.vhost === a.vhost)).toBe(true);

    const monitor = await open(a.vhost, a.monitor);
    expect(await channelError(monitor, (ch) => ch.sendToQueue('events.auth', Buffer.from('x')))).toContain(
      `ACCESS_REFUSED - access to exchange 'amq.default' in vhost '${a.vhost}' refused for user '${a.monitor.username}'`,
    );
    expect(await channelError(monitor, (ch) => ch.assertQueue('events.monitor'))).toContain(
      `ACCESS_REFUSED - access to queue 'events.monitor' in vhost '${a.vhost}' refused for user '${a.monitor.username}'`,
    );
    expect(await channelError(monitor, (ch) => ch.consume('events.auth', () => undefined))).toContain(
      `ACCESS_REFUSED - access to queue 'events.auth' in vhost '${a.vhost}' refused for user '${a.monitor.username}'`,
    );
  });

  it('applies the policies: a full queue refuses publishes, a message past its delivery limit is dead-lettered, the queue limit holds', async () => {
    const users = await open(a.vhost, moduleAccount(a, 'users'));
    const channel = await users.createConfirmChannel();
    await channel.assertQueue('events.users', { durable: true });
    const outcomes = await Promise.all(
      [1, 2, 3].map(
        (n) => new Promise<string>((resolve) => channel.sendToQueue('events.users', Buffer.from(String(n)), {}, (error) => resolve(error ? 'nack' : 'ack'))),
      ),
    );
    expect(outcomes).toEqual(['ack', 'ack', 'nack']);

    // A quorum queue without dead-letter arguments of its own: the policy supplies the DLX and the limit.
    await channel.assertExchange(DEAD_LETTER_EXCHANGE, 'direct', { durable: true });
    await channel.assertQueue('events.users.dlq', { durable: true });
    await channel.bindQueue('events.users.dlq', DEAD_LETTER_EXCHANGE, 'events.users.work');
    await channel.assertQueue('events.users.work', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    channel.sendToQueue('events.users.work', Buffer.from('poison'));
    await channel.waitForConfirms();
    const consumer = await users.createChannel();
    let deliveries = 0;
    await consumer.consume('events.users.work', (message) => {
      if (!message) return;
      deliveries += 1;
      consumer.nack(message, false, true);
    });
    await eventually(async () => (await channel.checkQueue('events.users.dlq')).messageCount === 1);
    // Delivered once, then redelivered up to the limit of 2.
    expect(deliveries).toBe(3);

    const before = ((await json(`/queues/${encodeURIComponent(a.vhost)}`)) as unknown[]).length;
    for (let n = before; n < 10; n += 1) await channel.assertQueue(`events.users.q${n}`, { durable: true });
    expect(await channelError(users, (ch) => ch.assertQueue('events.users.one-too-many', { durable: true }))).toContain(
      `queue limit in vhost '${a.vhost}' (10) is reached`,
    );
  });

  it('repairs what was deleted or changed by hand', async () => {
    const users = moduleAccount(a, 'users');
    // Another vhost's permission granted by hand to a module user goes again.
    await management(`/permissions/${encodeURIComponent(b.vhost)}/${encodeURIComponent(users.username)}`, {
      method: 'PUT',
      body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }),
    });
    // A password reset by hand is set back (the hash shows it no longer matches).
    const auth = moduleAccount(a, 'auth');
    await management(`/users/${encodeURIComponent(auth.username)}`, { method: 'PUT', body: JSON.stringify({ password: newPassword(), tags: OWNER_MARKER }) });
    // A policy of someone else's would outrank the operator's.
    await management(`/policies/${encodeURIComponent(a.vhost)}/unlimited`, {
      method: 'PUT',
      body: JSON.stringify({ pattern: '.*', 'apply-to': 'queues', priority: 10, definition: { 'max-length': 1_000_000 } }),
    });
    let writes = provisioner.calls.writes;
    await provisioner.ensure(a);
    expect(provisioner.calls.writes - writes).toBe(3);
    expect(await json(`/users/${encodeURIComponent(users.username)}/permissions`)).toEqual([
      { user: users.username, vhost: a.vhost, ...amqpPermissionsFor('users') },
    ]);
    await (await open(a.vhost, auth)).close();
    expect(((await json(`/policies/${encodeURIComponent(a.vhost)}`)) as { name: string }[]).map((policy) => policy.name).sort()).toEqual([
      'np-dead-letters',
      'np-events',
      'np-events-quorum',
      'np-requests',
      'np-requests-quorum',
    ]);

    // The vhost and a user, deleted.
    expect((await management(`/vhosts/${encodeURIComponent(a.vhost)}`, { method: 'DELETE' })).status).toBe(204);
    expect((await management(`/users/${encodeURIComponent(a.monitor.username)}`, { method: 'DELETE' })).status).toBe(204);
    await provisioner.ensure(a);
    expect((await json(`/policies/${encodeURIComponent(a.vhost)}`)) as unknown[]).toHaveLength(5);
    expect(await json(`/vhost-limits/${encodeURIComponent(a.vhost)}`)).toEqual([{ vhost: a.vhost, value: { 'max-queues': 10 } }]);
    for (const { account: user } of a.modules) await (await open(a.vhost, user)).close();
    expect((await management(`/queues/${encodeURIComponent(a.vhost)}`, {}, a.monitor)).status).toBe(200);

    writes = provisioner.calls.writes;
    await provisioner.ensure(a);
    expect(provisioner.calls.writes).toBe(writes);
  });

  it('refuses to adopt a vhost or a user it did not create', async () => {
    expect((await management(`/vhosts/${encodeURIComponent(hijacked.vhost)}`, { method: 'PUT', body: '{}' })).status).toBe(201);
    const error = await rejectionOf(provisioner.ensure(hijacked));
    expect(error).toBeInstanceOf(NotOwnedError);
    expect(error).toMatchObject({ kind: 'messaging', resource: `vhost ${hijacked.vhost}` });
    expect((await management(`/users/${encodeURIComponent(hijacked.monitor.username)}`)).status).toBe(404);
    const removal = await rejectionOf(provisioner.remove(hijacked));
    expect(removal).toBeInstanceOf(NotOwnedError);
    expect((await management(`/vhosts/${encodeURIComponent(hijacked.vhost)}`)).status).toBe(200);

    // A user of that name made by hand, on a vhost that is the operator's.
    await management(`/vhosts/${encodeURIComponent(hijacked.vhost)}`, { method: 'DELETE' });
    await management(`/users/${encodeURIComponent(hijacked.monitor.username)}`, { method: 'PUT', body: JSON.stringify({ password: newPassword(), tags: '' }) });
    const userError = await rejectionOf(provisioner.ensure(hijacked));
    expect(userError).toMatchObject({ name: 'NotOwnedError', resource: `user ${hijacked.monitor.username}` });
    await provisioner.remove({ ...hijacked, monitor: { ...hijacked.monitor, username: `${hijacked.vhost}.nobody` } });
    expect((await management(`/vhosts/${encodeURIComponent(hijacked.vhost)}`)).status).toBe(404);
  });

  it('leaves nothing after remove, and a second remove is fine', async () => {
    const spec = specFor(uniqueTenant('mqr'));
    await provisioner.ensure(spec);
    await provisioner.remove(spec);
    await provisioner.remove(spec);
    expect((await management(`/vhosts/${encodeURIComponent(spec.vhost)}`)).status).toBe(404);
    for (const username of [...spec.modules.map((entry) => entry.account.username), spec.monitor.username]) {
      expect((await management(`/users/${encodeURIComponent(username)}`)).status).toBe(404);
    }
  });

  it('reports a broker it cannot reach, or that refuses it, as ServerUnavailableError with what it said', async () => {
    const down = new URL(testAmqpManagementUrl());
    down.port = String(await closedPort());
    const unreachable = await rejectionOf(new RabbitMqProvisioner({ managementUrl: down.toString() }).ensure(specFor(uniqueTenant('mqd'))));
    expect(unreachable).toBeInstanceOf(ServerUnavailableError);
    expect(unreachable.message).toContain(`connect ECONNREFUSED 127.0.0.1:${down.port}`);

    const wrong = new URL(testAmqpManagementUrl());
    wrong.password = 'not-the-password';
    const refused = await rejectionOf(new RabbitMqProvisioner({ managementUrl: wrong.toString() }).ensure(specFor(uniqueTenant('mqd'))));
    expect(refused).toBeInstanceOf(ServerUnavailableError);
    expect(refused.message).toMatch(/answered 401: Login failed$/);
  });
});

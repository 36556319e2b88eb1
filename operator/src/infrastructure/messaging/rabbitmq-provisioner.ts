import { NotOwnedError, OWNER_MARKER, type Provisioner, type ServerCalls } from '../provisioner.js';
import { desiredMessaging, type DesiredMessaging, type DesiredUser, type Policy } from './desired-messaging.js';
import { api, ManagementApi } from './management-api.js';
import { overviewSchema, permissionsSchema, policiesSchema, queueNamesSchema, userSchema, vhostLimitsSchema, vhostSchema, type PolicyInfo } from './management-schemas.js';
import { assertMessagingSpec, type MessagingSpec } from './messaging-spec.js';
import { HASHING_ALGORITHM, matchesPasswordHash, rabbitPasswordHash } from './password-hash.js';

export interface RabbitMqProvisionerOptions {
  /** The management API with an administrator's credentials: `http://<user>:<password>@host:15672`. */
  managementUrl: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

/**
 * A tenant's share of a RabbitMQ broker, through the management HTTP API: its vhost (marked as
 * the operator's in its tags and description), one user per process on the bus with exactly the
 * permissions `@np/messaging` grants that module, a monitoring user, the policies, the vhost's
 * queue limit and each bus module's request queue (see `desiredMessaging`). Everything is read first and written only where it
 * differs, so a converged tenant costs reads only: the broker's version once per provisioner,
 * then per ensure the vhost, each user and its permissions, the vhost's policies and its limits.
 */
export class RabbitMqProvisioner implements Provisioner<MessagingSpec> {
  readonly kind = 'messaging';
  readonly calls: ServerCalls = { reads: 0, writes: 0 };
  private readonly api: ManagementApi;
  private brokerVersion: string | undefined;

  constructor(options: RabbitMqProvisionerOptions) {
    this.api = new ManagementApi(options.managementUrl, this.calls, options.timeoutMs ?? 10_000);
  }

  async ensure(spec: MessagingSpec): Promise<void> {
    assertMessagingSpec(spec);
    const desired = desiredMessaging(spec);
    const created = await this.ensureVhost(desired);
    await Promise.all(desired.users.map((user) => this.ensureUser(desired.vhost, user)));
    await this.ensurePolicies(desired, created);
    await this.ensureQueueLimit(desired, created);
    await this.ensureRequestQueues(desired, created);
  }

  /** Deletes the users and the vhost (its queues, permissions, policies and limits go with it); refuses to touch what is not the operator's. */
  async remove(spec: MessagingSpec): Promise<void> {
    const notOwned: string[] = [];
    const vhost = await this.api.get(api`/api/vhosts/${spec.vhost}`, vhostSchema);
    if (vhost !== undefined) {
      if (vhost.tags.includes(OWNER_MARKER)) await this.api.delete(api`/api/vhosts/${spec.vhost}`);
      else notOwned.push(`vhost ${spec.vhost}`);
    }
    for (const username of [...spec.modules.map((entry) => entry.account.username), spec.monitor.username]) {
      const user = await this.api.get(api`/api/users/${username}`, userSchema);
      if (user === undefined) continue;
      if (user.tags.includes(OWNER_MARKER)) await this.api.delete(api`/api/users/${username}`);
      else notOwned.push(`user ${username}`);
    }
    if (notOwned.length > 0) throw new NotOwnedError('messaging', notOwned.join(', '));
  }

  /** Returns true when the vhost was created now (so it is known to hold no policies or limits). */
  private async ensureVhost(desired: DesiredMessaging): Promise<boolean> {
    const path = api`/api/vhosts/${desired.vhost}`;
    const current = await this.api.get(path, vhostSchema);
    if (current !== undefined && !current.tags.includes(OWNER_MARKER)) throw new NotOwnedError('messaging', `vhost ${desired.vhost}`);
    const quorum = await this.supportsDefaultQueueType();
    if (current !== undefined && current.description === desired.description && (!quorum || current.default_queue_type === 'quorum')) return false;
    await this.api.put(path, {
      description: desired.description,
      // Tags someone added by hand stay; the marker is always among them.
      tags: [...new Set([...(current?.tags ?? []), OWNER_MARKER])].join(','),
      ...(quorum ? { default_queue_type: 'quorum' } : {}),
    });
    return current === undefined;
  }

  private async ensureUser(vhost: string, user: DesiredUser): Promise<void> {
    const { username, password } = user.account;
    const current = await this.api.get(api`/api/users/${username}`, userSchema);
    if (current !== undefined && !current.tags.includes(OWNER_MARKER)) throw new NotOwnedError('messaging', `user ${username}`);
    const upToDate =
      current !== undefined && sameSet(current.tags, user.tags) && matchesPasswordHash(password, current.password_hash, current.hashing_algorithm);
    if (!upToDate) {
      await this.api.put(api`/api/users/${username}`, {
        password_hash: rabbitPasswordHash(password),
        hashing_algorithm: HASHING_ALGORITHM,
        tags: user.tags.join(','),
      });
    }
    // A user created now has no permissions anywhere; one that existed may have gained some by hand.
    const granted = current === undefined ? [] : ((await this.api.get(api`/api/users/${username}/permissions`, permissionsSchema)) ?? []);
    for (const entry of granted) {
      if (entry.vhost !== vhost) await this.api.delete(api`/api/permissions/${entry.vhost}/${username}`);
    }
    const own = granted.find((entry) => entry.vhost === vhost);
    const wanted = user.permissions;
    if (own?.configure !== wanted.configure || own.write !== wanted.write || own.read !== wanted.read) {
      await this.api.put(api`/api/permissions/${vhost}/${username}`, wanted);
    }
  }

  /** The operator's policies exactly: missing or edited ones are put, any other policy in the vhost is deleted (it could outrank them). */
  private async ensurePolicies(desired: DesiredMessaging, created: boolean): Promise<void> {
    const current = created ? [] : ((await this.api.get(api`/api/policies/${desired.vhost}`, policiesSchema)) ?? []);
    for (const [name, policy] of Object.entries(desired.policies)) {
      const found = current.find((entry) => entry.name === name);
      if (found === undefined || !samePolicy(found, policy)) await this.api.put(api`/api/policies/${desired.vhost}/${name}`, policy);
    }
    for (const entry of current) {
      if (!(entry.name in desired.policies)) await this.api.delete(api`/api/policies/${desired.vhost}/${entry.name}`);
    }
  }

  private async ensureQueueLimit(desired: DesiredMessaging, created: boolean): Promise<void> {
    const current = created ? [] : ((await this.api.get(api`/api/vhost-limits/${desired.vhost}`, vhostLimitsSchema)) ?? []);
    const maxQueues = current.find((entry) => entry.vhost === desired.vhost)?.value['max-queues'];
    if (maxQueues !== desired.maxQueues) await this.api.put(api`/api/vhost-limits/${desired.vhost}/max-queues`, { value: desired.maxQueues });
  }

  /** Declares the request queues that do not exist yet; one read lists the vhost's queues. */
  private async ensureRequestQueues(desired: DesiredMessaging, created: boolean): Promise<void> {
    const current = created ? [] : ((await this.api.get(`${api`/api/queues/${desired.vhost}`}?columns=name`, queueNamesSchema)) ?? []);
    const existing = new Set(current.map((queue) => queue.name));
    for (const queue of desired.requestQueues.filter((name) => !existing.has(name))) {
      await this.api.put(api`/api/queues/${desired.vhost}/${queue}`, { durable: true, auto_delete: false, arguments: {} });
    }
  }

  /**
   * A vhost's default queue type exists from RabbitMQ 3.11 on. 3.10 accepts the field in PUT
   * /api/vhosts, ignores it and answers `"undefined"`; its queues are classic unless declared
   * otherwise (the platform's event queues declare `x-queue-type: quorum` themselves).
   */
  private async supportsDefaultQueueType(): Promise<boolean> {
    this.brokerVersion ??= (await this.api.get('/api/overview', overviewSchema))?.rabbitmq_version ?? '0';
    const [major = 0, minor = 0] = this.brokerVersion.split('.').map((part) => Number.parseInt(part, 10));
    return major > 3 || (major === 3 && minor >= 11);
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

function samePolicy(current: PolicyInfo, wanted: Policy): boolean {
  const keys = Object.keys(wanted.definition);
  return (
    current.pattern === wanted.pattern &&
    current['apply-to'] === wanted['apply-to'] &&
    current.priority === wanted.priority &&
    Object.keys(current.definition).length === keys.length &&
    keys.every((key) => current.definition[key] === wanted.definition[key])
  );
}

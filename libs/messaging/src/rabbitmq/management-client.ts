import { randomBytes } from 'node:crypto';
import type { ServiceName } from '@np/contracts';
import { amqpPermissionsFor } from './permissions.js';

/**
 * The few calls of RabbitMQ's management HTTP API that provisioning needs: vhosts, users and
 * their permissions. `managementUrl` carries an administrator's credentials
 * (`http://user:pass@host:port`).
 */
export class RabbitMqManagement {
  private readonly base: string;
  private readonly authorization: string;

  constructor(managementUrl: string) {
    const url = new URL(managementUrl);
    this.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    this.base = `${url.protocol}//${url.host}`;
  }

  async createVhost(vhost: string): Promise<void> {
    await this.send('PUT', `/api/vhosts/${encodeURIComponent(vhost)}`, {});
  }

  async deleteVhost(vhost: string): Promise<void> {
    await this.send('DELETE', `/api/vhosts/${encodeURIComponent(vhost)}`, undefined, [404]);
  }

  /** Creates (or resets) a user with a new random password and only the permissions its service needs in `vhost`. */
  async provisionServiceUser(vhost: string, user: string, service: ServiceName): Promise<string> {
    const password = randomBytes(18).toString('base64url');
    await this.send('PUT', `/api/users/${encodeURIComponent(user)}`, { password, tags: '' });
    await this.send('PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, amqpPermissionsFor(service));
    return password;
  }

  /** The vhost's queues with their ready messages and consumers (monitoring). */
  async queues(vhost: string): Promise<Array<{ name: string; messages: number; consumers: number }>> {
    const response = await fetch(`${this.base}/api/queues/${encodeURIComponent(vhost)}?columns=name,messages,consumers`, { headers: { authorization: this.authorization }, signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`RabbitMQ management GET /api/queues answered ${response.status}`);
    const queues = (await response.json()) as Array<{ name: string; messages?: number; consumers?: number }>;
    return queues.map((queue) => ({ name: queue.name, messages: queue.messages ?? 0, consumers: queue.consumers ?? 0 }));
  }

  async deleteUser(user: string): Promise<void> {
    await this.send('DELETE', `/api/users/${encodeURIComponent(user)}`, undefined, [404]);
  }

  async grantAll(vhost: string, user: string): Promise<void> {
    await this.send('PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
  }

  private async send(method: string, path: string, body?: unknown, tolerated: number[] = []): Promise<void> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { authorization: this.authorization, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok && !tolerated.includes(response.status)) {
      throw new Error(`RabbitMQ management ${method} ${path} answered ${response.status}: ${await response.text()}`);
    }
  }
}

/** `amqp://<user>:<password>@host:port/<vhost>` from a URL of the same broker. */
export function amqpUrlFor(brokerUrl: string, vhost: string, user: string, password: string): string {
  const url = new URL(brokerUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

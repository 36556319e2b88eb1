import type { z } from 'zod';
import { ServerUnavailableError, type ServerCalls } from '../provisioner.js';
import { serverMessage } from '../server-message.js';

/** A management API path whose every interpolated value is one encoded segment: `api\`/api/vhosts/${name}\``. */
export function api(strings: TemplateStringsArray, ...segments: string[]): string {
  return strings.reduce((path, part, index) => path + part + (index < segments.length ? encodeURIComponent(segments[index] ?? '') : ''), '');
}

/**
 * RabbitMQ's management HTTP API as an administrator, counting what it sends: GETs are reads,
 * PUT and DELETE writes. A 404 on a GET or DELETE is an answer (not there); anything else that is
 * not 2xx, and a server that cannot be reached, is a `ServerUnavailableError` carrying what the
 * server (or the network) said. Request bodies are never part of a message: they hold passwords.
 */
export class ManagementApi {
  private readonly base: string;
  private readonly authorization: string;

  constructor(
    managementUrl: string,
    private readonly calls: ServerCalls,
    private readonly timeoutMs: number,
  ) {
    const url = new URL(managementUrl);
    this.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    this.base = `${url.protocol}//${url.host}${url.pathname.replace(/\/$/, '')}`;
  }

  /** The parsed body, or undefined when the server answers 404. */
  async get<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined> {
    this.calls.reads += 1;
    const response = await this.send('GET', path);
    if (response.status === 404) return undefined;
    const parsed = schema.safeParse(await response.json());
    if (!parsed.success) throw new ServerUnavailableError('messaging', `RabbitMQ management GET ${path}: unexpected answer (${parsed.error.message})`);
    return parsed.data;
  }

  async put(path: string, body: unknown): Promise<void> {
    this.calls.writes += 1;
    await this.send('PUT', path, body);
  }

  /** Deletes; already gone is fine. */
  async delete(path: string): Promise<void> {
    this.calls.writes += 1;
    await this.send('DELETE', path);
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: this.authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new ServerUnavailableError('messaging', `RabbitMQ management API ${method} ${path}: ${serverMessage(error)}`, { cause: error });
    }
    if (response.ok || (response.status === 404 && method !== 'PUT')) return response;
    const text = await response.text().catch(() => '');
    throw new ServerUnavailableError('messaging', `RabbitMQ management API ${method} ${path} answered ${response.status}: ${reasonOf(text)}`);
  }
}

/** The management API answers errors as `{"error": ..., "reason": ...}`; the reason is what a person needs. */
function reasonOf(text: string): string {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null && 'reason' in body && typeof body.reason === 'string') return body.reason;
  } catch {
    // not JSON: the text itself
  }
  return text.slice(0, 500);
}

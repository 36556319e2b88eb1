import { pino } from 'pino';
import { testAmqpManagementUrl, testAmqpUrl, uniqueName } from '@np/testing';

/** Quiet unless NP_TEST_LOG is set (e.g. NP_TEST_LOG=debug). */
export const testLogger = pino({ level: process.env.NP_TEST_LOG ?? 'silent' });

/** Management API call with the credentials taken out of the URL (fetch refuses them inline). */
export async function management(path: string, init: RequestInit = {}): Promise<Response> {
  const base = new URL(testAmqpManagementUrl());
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  base.username = '';
  base.password = '';
  const response = await fetch(new URL(`/api${path}`, base), {
    ...init,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', ...init.headers },
  });
  if (!response.ok && response.status !== 404) throw new Error(`management ${init.method ?? 'GET'} ${path}: ${response.status}`);
  return response;
}

/** A vhost of its own for one test file, so suites never see each other's queues. */
export async function createVhost(prefix: string): Promise<{ name: string; url: string; remove: () => Promise<void> }> {
  const name = uniqueName(prefix);
  const user = new URL(testAmqpManagementUrl()).username || 'np';
  await management(`/vhosts/${encodeURIComponent(name)}`, { method: 'PUT', body: '{}' });
  await management(`/permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`, {
    method: 'PUT',
    body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }),
  });
  return {
    name,
    url: testAmqpUrl(name),
    remove: async () => {
      await management(`/vhosts/${encodeURIComponent(name)}`, { method: 'DELETE' });
    },
  };
}

/** Closes every client connection of a vhost server-side, as a broker restart would. */
export async function killConnections(vhost: string, atLeast = 1): Promise<number> {
  // The management API lists a connection only once its statistics were collected: wait for them.
  let connections: { name: string }[] = [];
  await eventually(async () => {
    connections = (await (await management(`/vhosts/${encodeURIComponent(vhost)}/connections`)).json()) as { name: string }[];
    return connections.length >= atLeast;
  }, 15_000, 250);
  for (const { name } of connections) {
    await management(`/connections/${encodeURIComponent(name)}`, { method: 'DELETE', headers: { 'x-reason': 'test outage' } });
  }
  return connections.length;
}

export async function queueInfo(vhost: string, queue: string): Promise<{ messages: number; consumers: number } | undefined> {
  const response = await management(`/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`);
  if (response.status === 404) return undefined;
  return (await response.json()) as { messages: number; consumers: number };
}

/** Polls until `check` returns true (management statistics lag by a few seconds). */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

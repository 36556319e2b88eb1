import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { AppError, withTimeout } from '@np/contracts';
import type { EventEnvelope, ReplyEnvelope, RequestEnvelope, Transport } from '../src/index.js';

/** A client and a server side of one bus; for the in-process transport they are the same object. */
export interface TransportPair {
  client: Transport;
  server: Transport;
  close: () => Promise<void>;
}

export type TransportPairFactory = () => Promise<TransportPair>;

let sequence = 0;
/** Event subscriptions are durable on a broker, so each test uses its own consumer name. */
export const consumerName = (prefix = 'contract'): string => `${prefix}-${process.pid}-${(sequence += 1)}`;

export function requestEnvelope(body: unknown = { id: randomUUID() }): RequestEnvelope {
  return { id: randomUUID(), pattern: 'users.get', body, requestId: `req-${randomUUID()}`, caller: 'gateway' };
}

export function eventEnvelope(payload: unknown = { id: randomUUID() }): EventEnvelope {
  return { id: randomUUID(), name: 'users.user.created', payload, occurredAt: new Date().toISOString(), requestId: 'req-event' };
}

export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

export function within<T>(promise: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  return withTimeout(promise, ms, () => new Error(`${what} did not settle within ${ms} ms`));
}

/** Resolves to the AppError code a promise rejects with (fails the test when it resolves). */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof AppError ? error.code : `not an AppError: ${String(error)}`;
  }
  throw new Error('expected a rejection');
}

async function waitUntilStable(read: () => number, quietMs: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    const now = read();
    if (now === last && now > 0) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, quietMs));
  }
  throw new Error('the count never settled');
}

/**
 * The behaviour every `Transport` must share. Run against the in-process transport and against
 * RabbitMQ, so the embedded and distributed shapes cannot drift apart.
 */
export function transportContract(name: string, createPair: TransportPairFactory): void {
  describe(`${name} satisfies the Transport contract`, () => {
    async function withPair(test: (pair: TransportPair) => Promise<void>): Promise<void> {
      const pair = await createPair();
      try {
        await test(pair);
      } finally {
        await pair.close();
      }
    }

    it('is ready once started', () =>
      withPair(async ({ client, server }) => {
        expect(client.isReady()).toBe(true);
        expect(server.isReady()).toBe(true);
      }));

    it('round-trips a request and its reply, with the envelope intact', () =>
      withPair(async ({ client, server }) => {
        const seen: RequestEnvelope[] = [];
        await server.serve('users', async (request) => {
          seen.push(request);
          return { ok: true, body: { echo: request.body } };
        });
        const request = { ...requestEnvelope({ id: 'u-1' }), token: 'forwarded.access.token' } as RequestEnvelope;
        const reply = await client.request('users', request, 5000);
        expect(reply).toEqual({ ok: true, body: { echo: { id: 'u-1' } } });
        // The sender's name is the transport's to vouch for (RabbitMQ puts the authenticated user there).
        expect(seen[0]).toEqual({ ...request, caller: expect.any(String) });
      }));

    it('passes a handler error payload through unchanged', () =>
      withPair(async ({ client, server }) => {
        const failure: ReplyEnvelope = { ok: false, error: { code: 'not_found', message: 'No such user.', details: { id: 'x' } } };
        await server.serve('users', async () => failure);
        await expect(client.request('users', requestEnvelope(), 5000)).resolves.toEqual(failure);
      }));

    it('fails fast with module_unavailable when nobody serves the module', () =>
      withPair(async ({ client }) => {
        const started = Date.now();
        expect(await errorCodeOf(client.request('reports', requestEnvelope(), 5000))).toBe('module_unavailable');
        expect(Date.now() - started).toBeLessThan(1000);
      }));

    it('fails with module_timeout when the handler does not answer in time', () =>
      withPair(async ({ client, server }) => {
        const release = deferred<ReplyEnvelope>();
        await server.serve('users', () => release.promise);
        const started = Date.now();
        expect(await errorCodeOf(client.request('users', requestEnvelope(), 300))).toBe('module_timeout');
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);
        expect(Date.now() - started).toBeLessThan(2000);
        release.resolve({ ok: true, body: null }); // a late reply must be ignored quietly
      }));

    it('delivers a published event to a matching subscription only', () =>
      withPair(async ({ client, server }) => {
        const received = deferred<EventEnvelope>();
        const other: EventEnvelope[] = [];
        await server.subscribe(consumerName(), ['users.user.*'], async (event) => received.resolve(event));
        await server.subscribe(consumerName(), ['auth.#'], async (event) => void other.push(event));
        const event = eventEnvelope({ id: 'u-2' });
        await client.publish(event);
        expect(await within(received.promise, 10_000, 'event delivery')).toMatchObject(event);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(other).toEqual([]);
      }));

    it('redelivers an event whose handler threw once', () =>
      withPair(async ({ client, server }) => {
        let calls = 0;
        const handled = deferred<number>();
        await server.subscribe(consumerName(), ['users.user.created'], async () => {
          calls += 1;
          if (calls === 1) throw new Error('transient failure');
          handled.resolve(calls);
        });
        await client.publish(eventEnvelope());
        expect(await within(handled.promise, 10_000, 'redelivery')).toBe(2);
      }));

    it('gives up on an event that always fails, after a bounded number of attempts', () =>
      withPair(async ({ client, server }) => {
        let calls = 0;
        await server.subscribe(consumerName(), ['users.user.deleted'], async () => {
          calls += 1;
          throw new Error('permanent failure');
        });
        await client.publish({ ...eventEnvelope(), name: 'users.user.deleted' });
        const attempts = await waitUntilStable(() => calls, 700, 20_000);
        expect(attempts).toBeGreaterThan(1);
        expect(attempts).toBeLessThanOrEqual(10);
      }));

    it('survives a handler that throws synchronously', () =>
      withPair(async ({ client, server }) => {
        const handled = deferred();
        let calls = 0;
        await server.subscribe(consumerName(), ['users.user.updated'], (() => {
          calls += 1;
          if (calls === 1) throw new Error('sync throw');
          handled.resolve();
          return Promise.resolve();
        }) as never);
        await client.publish({ ...eventEnvelope(), name: 'users.user.updated' });
        await within(handled.promise, 10_000, 'redelivery after a synchronous throw');
      }));

    it('is not ready after close', async () => {
      const { client, close } = await createPair();
      await close();
      expect(client.isReady()).toBe(false);
    });
  });
}

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'amqplib';
import { RabbitMqTransport, type RabbitMqTransportOptions, type ReplyEnvelope } from '../src/index.js';
import { createVhost, eventually, killConnections, queueInfo, testLogger } from './support.js';
import { consumerName, deferred, errorCodeOf, eventEnvelope, requestEnvelope, transportContract, within } from './transport-contract.js';

const RETRY_LIMIT = 2;
let vhost: Awaited<ReturnType<typeof createVhost>>;
const open = new Set<RabbitMqTransport>();

beforeAll(async () => {
  vhost = await createVhost('messaging');
});

afterAll(async () => {
  await Promise.allSettled([...open].map((transport) => transport.close()));
  await vhost.remove();
}, 30_000);

async function startTransport(overrides: Partial<RabbitMqTransportOptions> = {}): Promise<RabbitMqTransport> {
  const transport = new RabbitMqTransport({
    url: vhost.url,
    prefetch: 10,
    logger: testLogger,
    eventRetryLimit: RETRY_LIMIT,
    eventRetryDelayMs: 10,
    reconnectSeconds: 0.5,
    connectionName: 'np-test',
    ...overrides,
  });
  open.add(transport);
  await transport.start();
  return transport;
}

transportContract('RabbitMqTransport', async () => {
  const [client, server] = await Promise.all([startTransport(), startTransport()]);
  return {
    client,
    server,
    close: async () => {
      await Promise.all([client.close(), server.close()]);
    },
  };
});

describe('RabbitMqTransport identities (real broker)', () => {
  // Closed after each test: the outage test below kills every connection of the vhost it can see.
  const started: RabbitMqTransport[] = [];
  async function transports(count: 2): Promise<[RabbitMqTransport, RabbitMqTransport]>;
  async function transports(count: 3): Promise<[RabbitMqTransport, RabbitMqTransport, RabbitMqTransport]>;
  async function transports(count: number): Promise<RabbitMqTransport[]> {
    const list = await Promise.all(Array.from({ length: count }, () => startTransport()));
    started.push(...list);
    return list;
  }
  afterEach(async () => {
    await Promise.all(started.splice(0).map((transport) => transport.close()));
  });

  it('names the sender by the user the broker authenticated, whatever the envelope claims', async () => {
    const [client, server] = await transports(2);
    const seen = deferred<string>();
    await server.serve('form-builder', async (request) => {
      seen.resolve(request.caller);
      return { ok: true, body: null };
    });
    await client.request('form-builder', { ...requestEnvelope(), caller: 'auth' }, 5000);
    expect(await seen.promise).toBe(new URL(vhost.url).username);
  });

  it('stamps published events with the publisher the broker authenticated', async () => {
    const [client, server] = await transports(2);
    const received = deferred<string | undefined>();
    await server.subscribe(consumerName(), ['users.user.created'], async (event) => received.resolve(event.publisher));
    await client.publish({ ...eventEnvelope(), publisher: 'users' });
    expect(await within(received.promise, 10_000, 'event delivery')).toBe(new URL(vhost.url).username);
  });

  it('gives every broadcast subscriber each event, and tells each when it is subscribed', async () => {
    const [client, first, second] = await transports(3);
    const consumer = consumerName();
    const got = [deferred<string>(), deferred<string>()];
    const subscribed = [deferred(), deferred()];
    await first.subscribe(consumer, ['users.user.deleted'], async (event) => got[0]!.resolve(event.id), { broadcast: true, onSubscribed: () => subscribed[0]!.resolve() });
    await second.subscribe(consumer, ['users.user.deleted'], async (event) => got[1]!.resolve(event.id), { broadcast: true, onSubscribed: () => subscribed[1]!.resolve() });
    await Promise.all(subscribed.map((entry) => entry.promise));
    const event = { ...eventEnvelope(), name: 'users.user.deleted' as const };
    await client.publish(event);
    expect(await within(Promise.all(got.map((entry) => entry.promise)), 10_000, 'broadcast delivery')).toEqual([event.id, event.id]);
  });
});

describe('RabbitMqTransport on a real broker', () => {
  it('sends requests transient (never to the broker\'s disk) to the durable rpc.<module> queue, with its user id, correlation id, expiry and x-request-id', async () => {
    const client = await startTransport();
    const raw = await connect(vhost.url);
    try {
      const channel = await raw.createChannel();
      await channel.assertQueue('rpc.reports', { durable: true });
      const seen = deferred<import('amqplib').ConsumeMessage>();
      await channel.consume('rpc.reports', (message) => {
        if (!message) return;
        seen.resolve(message);
        channel.sendToQueue(message.properties.replyTo as string, Buffer.from(JSON.stringify({ ok: true, body: 'raw' })), {
          correlationId: message.properties.correlationId as string,
        });
        channel.ack(message);
      });
      const request = requestEnvelope();
      await expect(client.request('reports', request, 4000)).resolves.toEqual({ ok: true, body: 'raw' });
      const message = await seen.promise;
      expect(message.properties).toMatchObject({
        correlationId: request.id,
        deliveryMode: 1,
        userId: new URL(vhost.url).username,
        expiration: '4000',
        headers: expect.objectContaining({ 'x-request-id': request.requestId }),
      });
      expect(await queueInfo(vhost.name, 'rpc.reports')).toMatchObject({ durable: true });
    } finally {
      await raw.close();
      await client.close();
    }
  });

  it('answers malformed JSON with validation_failed and acks it', async () => {
    const server = await startTransport();
    await server.serve('files', async () => ({ ok: true, body: 'never' }));
    const raw = await connect(vhost.url);
    try {
      const channel = await raw.createChannel();
      const reply = deferred<{ body: ReplyEnvelope; correlationId: unknown }>();
      await channel.consume(
        'amq.rabbitmq.reply-to',
        (message) => message && reply.resolve({ body: JSON.parse(message.content.toString()) as ReplyEnvelope, correlationId: message.properties.correlationId }),
        { noAck: true },
      );
      channel.sendToQueue('rpc.files', Buffer.from('{not json'), { correlationId: 'bad-1', replyTo: 'amq.rabbitmq.reply-to' });
      const answer = await within(reply.promise, 5000, 'reply to malformed request');
      expect(answer.correlationId).toBe('bad-1');
      expect(answer.body).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
      await eventually(async () => (await channel.checkQueue('rpc.files')).messageCount === 0);
    } finally {
      await raw.close();
      await server.close();
    }
  });

  it(`retries a failing event ${RETRY_LIMIT} times, then dead-letters it to events.<consumer>.dlq`, async () => {
    const transport = await startTransport();
    const consumer = consumerName('dlq');
    let calls = 0;
    await transport.subscribe(consumer, ['users.user.deleted'], async () => {
      calls += 1;
      throw new Error('always fails');
    });
    const event = { ...eventEnvelope(), name: 'users.user.deleted' as const };
    await transport.publish(event);
    const raw = await connect(vhost.url);
    try {
      const channel = await raw.createChannel();
      let dead: false | { content: Buffer } = false;
      await eventually(async () => {
        dead = await channel.get(`events.${consumer}.dlq`, { noAck: true });
        return dead !== false;
      }, 15_000);
      expect(JSON.parse((dead as unknown as { content: Buffer }).content.toString())).toEqual(event);
      expect(calls).toBe(RETRY_LIMIT + 1); // the first delivery plus RETRY_LIMIT redeliveries
    } finally {
      await raw.close();
      await transport.close();
    }
  });

  it('dead-letters a malformed event at once', async () => {
    const transport = await startTransport();
    const consumer = consumerName('malformed');
    let calls = 0;
    await transport.subscribe(consumer, ['users.#'], async () => void (calls += 1));
    const raw = await connect(vhost.url);
    try {
      const channel = await raw.createChannel();
      channel.publish('np.events', 'users.user.created', Buffer.from('nope'));
      await eventually(async () => (await channel.checkQueue(`events.${consumer}.dlq`)).messageCount === 1);
      expect(calls).toBe(0);
    } finally {
      await raw.close();
      await transport.close();
    }
  });

  it('rejects with bus_unavailable when the broker cannot be reached, without waiting for the timeout', async () => {
    const transport = new RabbitMqTransport({ url: 'amqp://np:np@127.0.0.1:1/np', prefetch: 1, logger: testLogger, startTimeoutMs: 500, reconnectSeconds: 0.2 });
    open.add(transport);
    expect(await errorCodeOf(transport.start())).toBe('bus_unavailable');
    // Waiting for the request's timeout would answer module_timeout instead.
    expect(await errorCodeOf(transport.request('users', requestEnvelope(), 5000))).toBe('bus_unavailable');
    expect(await errorCodeOf(transport.publish(eventEnvelope()))).toBe('bus_unavailable');
    await transport.close();
  });

  it('fails requests in flight with bus_unavailable when the connection drops, then reconnects and serves again', async () => {
    const server = await startTransport({ connectionName: 'np-test-server' });
    const client = await startTransport({ connectionName: 'np-test-client' });
    const gate = deferred<ReplyEnvelope>();
    let slow = true;
    await server.serve('backoffice', async (request) => (slow ? gate.promise : { ok: true, body: request.body }));
    const received = deferred();
    await server.subscribe(consumerName('outage'), ['users.user.created'], async () => received.resolve());

    const inFlight = client.request('backoffice', requestEnvelope(), 30_000);
    inFlight.catch(() => undefined); // asserted below; keeps a failed test from reporting it twice
    await new Promise((resolve) => setTimeout(resolve, 200)); // the request reaches the handler
    expect(await killConnections(vhost.name, 2)).toBeGreaterThanOrEqual(2);
    // Failed by the drop, not left to its 30 s timeout (that would answer module_timeout).
    expect(await errorCodeOf(inFlight)).toBe('bus_unavailable');
    gate.resolve({ ok: true, body: 'too late' });
    slow = false;

    // During the outage every call settles quickly with a bus error; none hangs.
    const during = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const outcome = await within(
          client.request('backoffice', requestEnvelope('x'), 3000).then(() => 'ok', (error: { code?: string }) => error.code ?? 'unknown'),
          4000,
          'request during the outage',
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
        return outcome;
      }),
    );
    for (const outcome of during) expect(['ok', 'bus_unavailable', 'module_unavailable']).toContain(outcome);

    await eventually(() => client.isReady() && server.isReady(), 15_000);
    await eventually(
      () => client.request('backoffice', requestEnvelope('after'), 2000).then((reply) => reply.ok, () => false),
      15_000,
      200,
    );
    await expect(client.request('backoffice', requestEnvelope('again'), 2000)).resolves.toEqual({ ok: true, body: 'again' });
    await client.publish(eventEnvelope());
    await within(received.promise, 10_000, 'event after reconnect');
    await Promise.all([client.close(), server.close()]);
  });
});

describe('RabbitMqTransport while a module has no consumer (real broker)', () => {
  // The module's durable queue outlives its consumers: a pod replaced, or a module asleep.
  async function queueWithoutConsumer(): Promise<void> {
    const first = await startTransport();
    await first.serve('form-builder', async () => ({ ok: true, body: 'first' }));
    await first.close();
  }

  it('fails fast with module_unavailable by default', async () => {
    await queueWithoutConsumer();
    const client = await startTransport();
    expect(await errorCodeOf(client.request('form-builder', requestEnvelope(), 5000))).toBe('module_unavailable');
    await client.close();
  });

  it('with coldStartMs, holds the request in the queue until a consumer comes back and answers it once', async () => {
    await queueWithoutConsumer();
    const client = await startTransport({ coldStartMs: 20_000 });
    let handled = 0;
    const answer = client.request('form-builder', requestEnvelope(), 1000);
    // Longer than the request's own timeout: the cold-start allowance applies.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const server = await startTransport();
    await server.serve('form-builder', async () => {
      handled += 1;
      return { ok: true, body: 'woken' };
    });
    await expect(within(answer, 15_000, 'the answer after the wake-up')).resolves.toEqual({ ok: true, body: 'woken' });
    expect(handled).toBe(1);
    await Promise.all([client.close(), server.close()]);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { AppError } from '@np/contracts';
import { testDatabaseUrl, uniqueName } from '@np/testing';
import {
  InProcessTransport,
  OutboxRelay,
  RabbitMqTransport,
  consumeOnce,
  insertOutboxEvent,
  outboxDdl,
  pgQuery,
  pgTransactions,
  type EventEnvelope,
  type Transport,
} from '../src/index.js';
import { createVhost, eventually, testLogger } from './support.js';
import { eventEnvelope } from './transport-contract.js';

const schema = uniqueName('outbox');
let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: testDatabaseUrl(), max: 10 });
  for (const statement of outboxDdl(schema)) await pool.query(statement);
  for (const statement of outboxDdl(schema)) await pool.query(statement); // idempotent
});

afterAll(async () => {
  await pool.query(`drop schema if exists "${schema}" cascade`);
  await pool.end();
});

const query: ReturnType<typeof pgQuery> = (text, params) => pgQuery(pool)(text, params);
function sql(text: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return pool.query(text, params).then((result) => result.rows);
}

/** A transport that records what it publishes and can be told to fail, as a broker outage would. */
class RecordingTransport extends InProcessTransport {
  readonly published: EventEnvelope[] = [];
  failing = false;
  delayMs = 0;

  override async publish(event: EventEnvelope): Promise<void> {
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.failing) throw new AppError('bus_unavailable', 'broker down');
    this.published.push(event);
  }
}

async function enqueue(count: number): Promise<EventEnvelope[]> {
  const events: EventEnvelope[] = [];
  for (let i = 0; i < count; i += 1) {
    const event = { ...eventEnvelope({ n: i }), occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString() };
    await insertOutboxEvent((text, params) => sql(text, params), schema, event);
    events.push(event);
  }
  return events;
}

function relay(transport: Transport, overrides: { pollIntervalMs?: number; batchSize?: number } = {}): OutboxRelay {
  return new OutboxRelay({ transport, withTransaction: pgTransactions(pool), schema, logger: testLogger, pollIntervalMs: 50, ...overrides });
}

async function unpublished(): Promise<number> {
  const [row] = await sql(`select count(*)::int as n from "${schema}".outbox where published_at is null`);
  return Number(row!.n);
}

describe('transactional outbox on PostgreSQL', () => {
  it('publishes unpublished events in occurrence order, with their envelope, and marks them', async () => {
    const transport = new RecordingTransport();
    const events = await enqueue(5);
    const subject = relay(transport);
    subject.start();
    await eventually(async () => (await unpublished()) === 0);
    await subject.stop();
    expect(transport.published).toEqual(events);
  });

  it('stops a batch when publishing fails and publishes the rest once the broker is back', async () => {
    const transport = new RecordingTransport();
    transport.failing = true;
    const events = await enqueue(3);
    const subject = relay(transport);
    subject.start();
    await new Promise((resolve) => setTimeout(resolve, 300)); // several failing ticks, none throws
    expect(await unpublished()).toBe(3);
    transport.failing = false;
    await eventually(async () => (await unpublished()) === 0);
    await subject.stop();
    expect(transport.published.map((event) => event.id)).toEqual(events.map((event) => event.id));
  });

  it('lets two relays share one outbox without losing an event', async () => {
    const [first, second] = [new RecordingTransport(), new RecordingTransport()];
    first.delayMs = second.delayMs = 2;
    const events = await enqueue(300);
    const relays = [relay(first, { batchSize: 20 }), relay(second, { batchSize: 20 })];
    relays.forEach((subject) => subject.start());
    await eventually(async () => (await unpublished()) === 0, 20_000);
    await Promise.all(relays.map((subject) => subject.stop()));
    const ids = [...first.published, ...second.published].map((event) => event.id);
    expect(new Set(ids)).toEqual(new Set(events.map((event) => event.id)));
    expect(ids).toHaveLength(events.length); // SKIP LOCKED: no row was claimed twice
    expect(first.published.length).toBeGreaterThan(0);
    expect(second.published.length).toBeGreaterThan(0);
  });

  it('runs a batch soon after kick(), however many kicks arrive', async () => {
    const transport = new RecordingTransport();
    const subject = relay(transport, { pollIntervalMs: 60_000 });
    subject.start();
    await eventually(() => transport.published.length === 0); // first (empty) tick
    await new Promise((resolve) => setTimeout(resolve, 50));
    const [event] = await enqueue(1);
    for (let i = 0; i < 20; i += 1) subject.kick();
    await eventually(() => transport.published.length === 1, 2000);
    expect(transport.published[0]!.id).toBe(event!.id);
    await subject.stop();
  });

  it('stop() waits for the batch in progress', async () => {
    const transport = new RecordingTransport();
    transport.delayMs = 300;
    await enqueue(2);
    const subject = relay(transport);
    subject.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await subject.stop();
    expect(transport.published).toHaveLength(2);
    expect(await unpublished()).toBe(0);
  });

  it('puts the rows back when the relay dies mid-batch (transaction rolled back)', async () => {
    await enqueue(2);
    const failingTransaction = pgTransactions(pool);
    const transport = new RecordingTransport();
    const crashing = new OutboxRelay({
      transport,
      schema,
      logger: testLogger,
      withTransaction: (fn) =>
        failingTransaction(async (q) => {
          await fn(q);
          throw new Error('process died before commit');
        }),
    });
    await crashing.flush();
    expect(transport.published).toHaveLength(2); // published, but the marks were rolled back
    expect(await unpublished()).toBe(2);
    await relay(new RecordingTransport()).flush();
    expect(await unpublished()).toBe(0);
  });

  it('consumeOnce is true once per consumer and event, and forgets on rollback', async () => {
    const eventId = randomUUID();
    const client = await pool.connect();
    try {
      await client.query('begin');
      expect(await consumeOnce(pgQuery(client), schema, 'users', eventId)).toBe(true);
      await client.query('rollback');
    } finally {
      client.release();
    }
    expect(await consumeOnce(query, schema, 'users', eventId)).toBe(true);
    expect(await consumeOnce(query, schema, 'users', eventId)).toBe(false);
    expect(await consumeOnce(query, schema, 'auth', eventId)).toBe(true);
  });
});

describe('outbox to RabbitMQ, end to end', () => {
  it('relays committed events through the broker to an idempotent consumer exactly once in effect', async () => {
    const vhost = await createVhost('outbox');
    const transport = new RabbitMqTransport({ url: vhost.url, prefetch: 5, logger: testLogger, reconnectSeconds: 0.5 });
    const subject = relay(transport);
    try {
      await transport.start();
      const effects: string[] = [];
      await transport.subscribe('outbox-e2e', ['users.user.*'], async (event) => {
        if (await consumeOnce(query, schema, 'outbox-e2e', event.id)) effects.push(event.id);
      });
      const events = await enqueue(10);
      subject.start();
      subject.kick();
      await eventually(() => effects.length === events.length, 10_000);
      // A duplicate delivery (e.g. a relay that crashed before marking) has no second effect.
      await transport.publish(events[0]!);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(effects.sort()).toEqual(events.map((event) => event.id).sort());
    } finally {
      await subject.stop();
      await transport.close();
      await vhost.remove();
    }
  });
});

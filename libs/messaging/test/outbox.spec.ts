// The transactional outbox as production runs it: services write the change and its event in one
// MikroORM transaction (`emSqlQuery` on the transaction's entity manager), and the relay claims
// rows through `ormTransactions(db)` from @np/persistence and publishes them with the RabbitMQ
// transport. Relay mechanics are checked with a recording transport; delivery, rollback, broker
// outages and two replicas through a real broker.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { AppError } from '@np/contracts';
import { type Database, emSqlQuery, ormTransactions } from '@np/persistence';
import {
  type EventEnvelope,
  InProcessTransport,
  OutboxRelay,
  type OutboxRelayOptions,
  RabbitMqTransport,
  consumeOnce,
  type Transport,
  type WithTransaction,
} from '../src/index.js';
import { createOutboxSchema, noteEvent, type OutboxSchema, startBroker, stopBroker, writeNoteWithEvent } from './outbox-support.js';
import { createVhost, eventually, testLogger } from './support.js';
import { consumerName, deferred } from './transport-contract.js';

const schemas: OutboxSchema[] = [];
const transports = new Set<RabbitMqTransport>();
const relays = new Set<OutboxRelay>();

/** A schema of its own per test, opened the way services open theirs. */
async function freshOutbox(): Promise<{ outbox: OutboxSchema; db: Database }> {
  const outbox = await createOutboxSchema();
  schemas.push(outbox);
  return { outbox, db: await outbox.open() };
}

function relayFor(db: Database, schema: string, transport: Transport, overrides: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  const relay = new OutboxRelay({ transport, withTransaction: ormTransactions(db), schema, logger: testLogger, pollIntervalMs: 50, ...overrides });
  relays.add(relay);
  return relay;
}

afterEach(async () => {
  await Promise.all([...relays].map((relay) => relay.stop()));
  relays.clear();
  await Promise.allSettled([...transports].map((transport) => transport.close()));
  transports.clear();
}, 30_000);

afterAll(async () => {
  for (const outbox of schemas) await outbox.drop();
}, 30_000);

/** Records what it publishes; can fail as a broker outage would, or hold a publish until released. */
class RecordingTransport extends InProcessTransport {
  readonly published: EventEnvelope[] = [];
  attempts = 0;
  failing = false;
  gate: Promise<void> | undefined;
  readonly entered = deferred();

  override async publish(event: EventEnvelope): Promise<void> {
    this.attempts += 1;
    this.entered.resolve();
    if (this.gate) await this.gate;
    if (this.failing) throw new AppError('bus_unavailable', 'broker down');
    this.published.push(event);
  }
}

describe('outbox relay on the ORM transaction path', () => {
  it('publishes committed events in occurrence order, with their envelope, and marks them', async () => {
    const { outbox, db } = await freshOutbox();
    const events: EventEnvelope[] = [];
    for (let i = 0; i < 5; i += 1) events.push(await writeNoteWithEvent(db, outbox.schema, { event: noteEvent(i) }));
    const transport = new RecordingTransport();
    relayFor(db, outbox.schema, transport).start();
    await eventually(async () => (await outbox.unpublished()) === 0);
    expect(transport.published).toEqual(events);
  });

  it('keeps events while publishing fails and publishes them, in order, once it works again', async () => {
    const { outbox, db } = await freshOutbox();
    const events: EventEnvelope[] = [];
    for (let i = 0; i < 3; i += 1) events.push(await writeNoteWithEvent(db, outbox.schema, { event: noteEvent(i) }));
    const transport = new RecordingTransport();
    transport.failing = true;
    relayFor(db, outbox.schema, transport).start();
    await eventually(() => transport.attempts >= 3); // several failing ticks, none of them throws
    expect(await outbox.unpublished()).toBe(3);
    transport.failing = false;
    await eventually(async () => (await outbox.unpublished()) === 0);
    expect(transport.published.map((event) => event.id)).toEqual(events.map((event) => event.id));
  });

  it('runs a batch after kick() instead of waiting for the next poll', async () => {
    const { outbox, db } = await freshOutbox();
    const transport = new RecordingTransport();
    let batches = 0;
    const counting: WithTransaction = (fn) => {
      batches += 1;
      return ormTransactions(db)(fn);
    };
    const relay = relayFor(db, outbox.schema, transport, { withTransaction: counting, pollIntervalMs: 600_000 });
    relay.start();
    await eventually(() => batches >= 1); // the first (empty) batch; the next poll is ten minutes away
    const event = await writeNoteWithEvent(db, outbox.schema);
    for (let i = 0; i < 20; i += 1) relay.kick();
    await eventually(() => transport.published.length === 1);
    expect(transport.published[0]!.id).toBe(event.id);
  });

  it('stop() returns only once the batch in progress is done', async () => {
    const { outbox, db } = await freshOutbox();
    await writeNoteWithEvent(db, outbox.schema);
    await writeNoteWithEvent(db, outbox.schema);
    const transport = new RecordingTransport();
    const release = deferred();
    transport.gate = release.promise;
    const relay = relayFor(db, outbox.schema, transport);
    relay.start();
    await transport.entered.promise;
    let released = false;
    const stopping = relay.stop().then(() => released);
    await new Promise((resolve) => setImmediate(resolve)); // a stop() that does not wait would settle here
    released = true;
    release.resolve();
    expect(await stopping).toBe(true);
    expect(transport.published).toHaveLength(2);
    expect(await outbox.unpublished()).toBe(0);
  });

  it('puts the rows back when the relay dies mid-batch (its transaction rolls back)', async () => {
    const { outbox, db } = await freshOutbox();
    await writeNoteWithEvent(db, outbox.schema);
    await writeNoteWithEvent(db, outbox.schema);
    const transport = new RecordingTransport();
    const crashing = new OutboxRelay({
      transport,
      schema: outbox.schema,
      logger: testLogger,
      withTransaction: (fn) =>
        ormTransactions(db)(async (query) => {
          await fn(query);
          throw new Error('process died before commit');
        }),
    });
    await crashing.flush();
    expect(transport.published).toHaveLength(2); // published, but the marks were rolled back
    expect(await outbox.unpublished()).toBe(2);
    await relayFor(db, outbox.schema, new RecordingTransport()).flush();
    expect(await outbox.unpublished()).toBe(0);
  });

  it('consumeOnce in an ORM transaction is true once per consumer and event, and forgets on rollback', async () => {
    const { outbox, db } = await freshOutbox();
    const eventId = randomUUID();
    const once = (consumer: string, rollBack = false) =>
      db.em.fork().transactional(async (em) => {
        const first = await consumeOnce(emSqlQuery(em), outbox.schema, consumer, eventId);
        if (rollBack) throw new Error(`rolled back after ${String(first)}`);
        return first;
      });
    await expect(once('users', true)).rejects.toThrow('rolled back after true');
    expect(await once('users')).toBe(true);
    expect(await once('users')).toBe(false);
    expect(await once('auth')).toBe(true);
  });
});

describe('outbox to RabbitMQ (the ORM path, a real broker)', () => {
  let vhost: Awaited<ReturnType<typeof createVhost>>;

  beforeAll(async () => {
    vhost = await createVhost('outbox');
  });

  afterAll(async () => {
    await vhost.remove();
  });

  /** The real transport, counting what the broker confirmed and what it refused. */
  class CountingTransport extends RabbitMqTransport {
    confirmed = 0;
    refused = 0;

    override async publish(event: EventEnvelope): Promise<void> {
      try {
        await super.publish(event);
        this.confirmed += 1;
      } catch (error) {
        this.refused += 1;
        throw error;
      }
    }
  }

  async function rabbit(): Promise<CountingTransport> {
    const transport = new CountingTransport({ url: vhost.url, prefetch: 20, logger: testLogger, reconnectSeconds: 0.5 });
    transports.add(transport);
    await transport.start();
    return transport;
  }

  /** A durable subscription that records every delivery, duplicates included. */
  async function subscriber(): Promise<{ transport: CountingTransport; deliveries: EventEnvelope[]; ids: () => string[] }> {
    const transport = await rabbit();
    const deliveries: EventEnvelope[] = [];
    await transport.subscribe(consumerName('outbox'), ['users.user.*'], (event) => {
      deliveries.push(event);
      return Promise.resolve();
    });
    return { transport, deliveries, ids: () => deliveries.map((event) => event.id) };
  }

  it('publishes the event of a committed write, and the consumer gets it once', async () => {
    const { outbox, db } = await freshOutbox();
    const consumer = await subscriber();
    const relay = relayFor(db, outbox.schema, await rabbit());
    relay.start();
    const event = await writeNoteWithEvent(db, outbox.schema);
    relay.kick();
    await eventually(() => consumer.ids().includes(event.id));
    await eventually(async () => (await outbox.unpublished()) === 0);
    // Once marked, nothing republishes it: a later event arriving behind it closes the stream.
    const later = await writeNoteWithEvent(db, outbox.schema);
    relay.kick();
    await eventually(() => consumer.ids().includes(later.id));
    expect(consumer.ids()).toEqual([event.id, later.id]);
    expect(consumer.deliveries[0]).toMatchObject({ id: event.id, name: event.name, payload: event.payload, requestId: event.requestId });
    const { noteId } = event.payload as { noteId: string };
    expect(await outbox.query('select id from $schema.notes where id = $1', [noteId])).toHaveLength(1);
  });

  it('publishes nothing for a write that rolled back', async () => {
    const { outbox, db } = await freshOutbox();
    const consumer = await subscriber();
    const relay = relayFor(db, outbox.schema, await rabbit());
    relay.start();
    const rolledBack = noteEvent();
    await expect(writeNoteWithEvent(db, outbox.schema, { event: rolledBack, rollBack: true })).rejects.toThrow('the handler failed after writing');
    expect(await outbox.query('select id from $schema.outbox where id = $1', [rolledBack.id])).toEqual([]);
    expect(await outbox.query('select id from $schema.notes')).toEqual([]);
    const committed = await writeNoteWithEvent(db, outbox.schema);
    relay.kick();
    await eventually(() => consumer.ids().includes(committed.id));
    expect(consumer.ids()).toEqual([committed.id]);
  });

  it('holds events written during a broker outage and delivers every one once the broker is back', async () => {
    const { outbox, db } = await freshOutbox();
    const consumer = await subscriber();
    const publisher = await rabbit();
    const relay = relayFor(db, outbox.schema, publisher);
    relay.start();
    const events: EventEnvelope[] = [];
    await stopBroker();
    try {
      await eventually(() => !publisher.isReady() && !consumer.transport.isReady(), 30_000);
      for (let i = 0; i < 5; i += 1) events.push(await writeNoteWithEvent(db, outbox.schema, { event: noteEvent(i) }));
      relay.kick();
      await eventually(() => publisher.refused > 0); // the relay tried, and the broker was not there
      expect(await outbox.unpublished()).toBe(5);
    } finally {
      await startBroker(vhost.url);
    }
    await eventually(() => events.every((event) => consumer.ids().includes(event.id)), 60_000);
    await eventually(async () => (await outbox.unpublished()) === 0);
    expect(new Set(consumer.ids())).toEqual(new Set(events.map((event) => event.id)));
  }, 120_000);

  it('lets relays of two replicas share one outbox without publishing an event twice', async () => {
    const { outbox, db } = await freshOutbox();
    const other = await outbox.open(); // a second pool on the same schema: another replica
    const consumer = await subscriber();
    const events: EventEnvelope[] = [];
    for (let i = 0; i < 300; i += 1) events.push(await writeNoteWithEvent(db, outbox.schema, { event: noteEvent(i) }));
    const [first, second] = [await rabbit(), await rabbit()];
    const pair = [relayFor(db, outbox.schema, first, { batchSize: 20 }), relayFor(other, outbox.schema, second, { batchSize: 20 })];
    pair.forEach((relay) => relay.start());
    await eventually(async () => (await outbox.unpublished()) === 0, 30_000);
    const closing = await writeNoteWithEvent(db, outbox.schema);
    pair[0]!.kick();
    await eventually(() => consumer.ids().includes(closing.id), 30_000);

    const delivered = consumer.ids().filter((id) => id !== closing.id);
    expect(delivered).toHaveLength(events.length); // SKIP LOCKED: no row was claimed twice
    expect(new Set(delivered)).toEqual(new Set(events.map((event) => event.id)));
    expect(first.confirmed + second.confirmed).toBe(events.length + 1);
    expect(first.confirmed).toBeGreaterThan(0);
    expect(second.confirmed).toBeGreaterThan(0);
  }, 60_000);
});

// Retention of the outbox and the inbox against the real PostgreSQL: the relay deletes published
// outbox rows and inbox rows older than the retention, never an unpublished row, and only one
// replica sweeps a schema at a time (a transaction-level advisory lock).
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { AppError } from '@np/contracts';
import { type Database, emSqlQuery, ormTransactions } from '@np/persistence';
import { type EventEnvelope, InProcessTransport, OutboxRelay, type OutboxRelayOptions, type WithTransaction, consumeOnce, pruneOutboxAndInbox } from '../src/index.js';
import { createOutboxSchema, type OutboxSchema, writeNoteWithEvent } from './outbox-support.js';
import { eventually, testLogger } from './support.js';
import { deferred } from './transport-contract.js';

const schemas: OutboxSchema[] = [];
const relays = new Set<OutboxRelay>();

/** The broker is down: nothing gets published, so unpublished rows stay unpublished. */
class DownTransport extends InProcessTransport {
  override publish(): Promise<void> {
    return Promise.reject(new AppError('bus_unavailable', 'broker down'));
  }
}

async function freshOutbox(): Promise<{ outbox: OutboxSchema; db: Database }> {
  const outbox = await createOutboxSchema();
  schemas.push(outbox);
  return { outbox, db: await outbox.open() };
}

function relayFor(db: Database, schema: string, overrides: Partial<OutboxRelayOptions> = {}): OutboxRelay {
  const relay = new OutboxRelay({
    transport: new DownTransport(),
    withTransaction: ormTransactions(db),
    schema,
    logger: testLogger,
    pollIntervalMs: 50,
    retentionHours: 168,
    ...overrides,
  });
  relays.add(relay);
  return relay;
}

/** Writes an event and dates its row: `publishedHoursAgo` undefined leaves it unpublished. */
async function outboxRow(outbox: OutboxSchema, db: Database, occurredHoursAgo: number, publishedHoursAgo?: number): Promise<EventEnvelope> {
  const event = await writeNoteWithEvent(db, outbox.schema);
  await outbox.query(
    `update $schema.outbox set occurred_at = now() - $2::int * interval '1 hour',
       published_at = case when $3::int is null then null else now() - $3::int * interval '1 hour' end where id = $1`,
    [event.id, occurredHoursAgo, publishedHoursAgo ?? null],
  );
  return event;
}

/** Marks an event handled by `consumer`, as a consumer's transaction does, `hoursAgo` back. */
async function inboxRow(outbox: OutboxSchema, db: Database, consumer: string, hoursAgo: number): Promise<string> {
  const eventId = randomUUID();
  await db.em.fork().transactional(async (em) => {
    expect(await consumeOnce(emSqlQuery(em), outbox.schema, consumer, eventId)).toBe(true);
  });
  await outbox.query(`update $schema.inbox set processed_at = now() - $2::int * interval '1 hour' where event_id = $1`, [eventId, hoursAgo]);
  return eventId;
}

const outboxIds = async (outbox: OutboxSchema): Promise<string[]> =>
  (await outbox.query('select id from $schema.outbox order by id')).map((row) => String(row.id));
const inboxIds = async (outbox: OutboxSchema): Promise<string[]> =>
  (await outbox.query('select event_id from $schema.inbox order by event_id')).map((row) => String(row.event_id));
const sorted = (ids: string[]): string[] => [...ids].sort();

afterEach(async () => {
  await Promise.all([...relays].map((relay) => relay.stop()));
  relays.clear();
});

afterAll(async () => {
  for (const outbox of schemas) await outbox.drop();
}, 30_000);

describe('outbox and inbox retention', () => {
  it('the relay deletes published outbox rows and inbox rows past the retention; unpublished and recent rows stay', async () => {
    const { outbox, db } = await freshOutbox();
    await outboxRow(outbox, db, 300, 200); // published long ago: goes
    const recentPublished = await outboxRow(outbox, db, 2, 1);
    const oldUnpublished = await outboxRow(outbox, db, 400);
    const recentUnpublished = await outboxRow(outbox, db, 0);
    await inboxRow(outbox, db, 'users', 200); // both past the retention: go
    await inboxRow(outbox, db, 'auth', 170);
    const recentInbox = await inboxRow(outbox, db, 'users', 1);

    relayFor(db, outbox.schema).start();
    await eventually(async () => (await outboxIds(outbox)).length === 3 && (await inboxIds(outbox)).length === 1);

    expect(await outboxIds(outbox)).toEqual(sorted([recentPublished.id, oldUnpublished.id, recentUnpublished.id]));
    expect(await inboxIds(outbox)).toEqual([recentInbox]);
    expect(await outbox.unpublished()).toBe(2);
  });

  it('sweeps one replica at a time: while another holds the schema’s lock, prune leaves every row', async () => {
    const { outbox, db } = await freshOutbox();
    const other = await outbox.open(); // a second replica: a pool of its own
    await outboxRow(outbox, db, 300, 200);
    await inboxRow(outbox, db, 'users', 200);
    const relay = relayFor(db, outbox.schema);

    const locked = deferred();
    const release = deferred();
    const holder = other.em.fork().transactional(async (em) => {
      await emSqlQuery(em)(`select pg_advisory_xact_lock(hashtext('np.outbox.prune'), hashtext($1))`, [outbox.schema]);
      locked.resolve();
      await release.promise;
    });
    await locked.promise;
    await expect(relay.prune()).resolves.toEqual({ skipped: true, outbox: 0, inbox: 0 });
    expect(await outboxIds(outbox)).toHaveLength(1);
    expect(await inboxIds(outbox)).toHaveLength(1);

    release.resolve();
    await holder; // the other replica's transaction ends, and its lock with it
    await expect(relay.prune()).resolves.toEqual({ skipped: false, outbox: 1, inbox: 1 });
    expect(await outboxIds(outbox)).toEqual([]);
    expect(await inboxIds(outbox)).toEqual([]);
  });

  it('sweeps at the first tick and then only once per prune interval, however often it polls', async () => {
    const { outbox, db } = await freshOutbox();
    let batches = 0;
    let sweeps = 0;
    const counting: WithTransaction = (fn) =>
      ormTransactions(db)((query) => {
        batches += 1;
        return fn(async (sql, params) => {
          if (sql.includes('pg_try_advisory_xact_lock')) sweeps += 1;
          return query(sql, params);
        });
      });
    relayFor(db, outbox.schema, { withTransaction: counting, pruneIntervalMs: 600_000 }).start();
    await eventually(() => batches >= 10); // many polls, each one a batch of the (empty) outbox
    expect(sweeps).toBe(2); // the first tick's sweep: one locked batch per table, nothing since
  });

  it('deletes in batches until nothing past the retention is left', async () => {
    const { outbox, db } = await freshOutbox();
    for (let i = 0; i < 5; i += 1) await outboxRow(outbox, db, 300, 200);
    for (let i = 0; i < 5; i += 1) await inboxRow(outbox, db, 'users', 200);
    const kept = await outboxRow(outbox, db, 300);

    const outcome = await pruneOutboxAndInbox({ withTransaction: ormTransactions(db), schema: outbox.schema, retentionHours: 168, batchSize: 2 });

    expect(outcome).toEqual({ skipped: false, outbox: 5, inbox: 5 });
    expect(await outboxIds(outbox)).toEqual([kept.id]);
    expect(await inboxIds(outbox)).toEqual([]);
  });
});

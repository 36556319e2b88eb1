import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { defineEntity, p } from '@mikro-orm/postgresql';
import { type Database, emSqlQuery, openDatabase, quoteIdentifier, sqlMigration } from '@np/persistence';
import { testDatabaseUrl, uniqueName } from '@np/testing';
import { connect } from 'amqplib';
import { type EventEnvelope, insertOutboxEvent, outboxDdl } from '../src/index.js';
import { eventually, testLogger } from './support.js';
import { eventEnvelope } from './transport-contract.js';

/** The state change a service makes together with its event (users makes users, this makes notes). */
export const Note = defineEntity({
  name: 'OutboxTestNote',
  tableName: 'notes',
  properties: {
    id: p.uuid().primary(),
    body: p.text(),
  },
});

/**
 * A service's schema as production opens it: MikroORM with the outbox DDL among its migrations,
 * one pool per `Database`, so two of them on one schema are two replicas.
 */
export interface OutboxSchema {
  schema: string;
  open(): Promise<Database>;
  /** Plain SQL on a connection of its own, for assertions; `$schema` names the schema. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  unpublished(): Promise<number>;
  drop(): Promise<void>;
}

export async function createOutboxSchema(): Promise<OutboxSchema> {
  const schema = uniqueName('outbox');
  const migrations = [sqlMigration('0001_outbox_test', [...outboxDdl(schema), `create table ${quoteIdentifier(schema)}.notes (id uuid primary key, body text not null)`])];
  const opened: Database[] = [];
  const open = async () => {
    const db = await openDatabase({ url: testDatabaseUrl(), schema, entities: [Note], migrations, poolMax: 4, logger: testLogger });
    opened.push(db);
    return db;
  };
  const admin = await open();
  const query = (sql: string, params: unknown[] = []) => emSqlQuery(admin.em.fork())(sql.replaceAll('$schema', quoteIdentifier(schema)), params);
  return {
    schema,
    open,
    query,
    unpublished: async () => Number((await query('select count(*)::int as n from $schema.outbox where published_at is null'))[0]!.n),
    drop: async () => {
      await query('drop schema if exists $schema cascade');
      await Promise.all(opened.map((db) => db.close()));
    },
  };
}

/**
 * Writes a note and its event the way services do (UsersRepository.transaction): one ORM
 * transaction, the outbox row through `emSqlQuery` on the transaction's entity manager. With
 * `rollBack` the transaction throws after both writes.
 */
export async function writeNoteWithEvent(db: Database, schema: string, options: { rollBack?: boolean; event?: EventEnvelope } = {}): Promise<EventEnvelope> {
  const event = options.event ?? noteEvent();
  const { noteId } = event.payload as { noteId: string };
  await db.em.fork().transactional(async (em) => {
    await em.insert(Note, { id: noteId, body: `note ${noteId}` });
    await insertOutboxEvent(emSqlQuery(em), schema, event);
    if (options.rollBack) throw new Error('the handler failed after writing');
  });
  return event;
}

/** The event of a new note; `sequence` spaces `occurredAt` so the publishing order is known. */
export function noteEvent(sequence?: number): EventEnvelope {
  const event = eventEnvelope({ noteId: randomUUID() });
  return sequence === undefined ? event : { ...event, occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, sequence)).toISOString() };
}

const ROOT = join(import.meta.dirname, '..', '..', '..');
const execFileAsync = promisify(execFile);

/** Stops RabbitMQ's application (the node stays up, durable queues and persistent messages are kept). */
export async function stopBroker(): Promise<void> {
  await execFileAsync('bash', [join(ROOT, 'tools/rabbitmq-ctl.sh'), 'stop_app'], { cwd: ROOT });
}

/** Starts it again and waits until it accepts AMQP connections. */
export async function startBroker(amqpUrl: string): Promise<void> {
  await execFileAsync('bash', [join(ROOT, 'tools/rabbitmq-ctl.sh'), 'start_app'], { cwd: ROOT });
  await eventually(
    async () => {
      try {
        await (await connect(amqpUrl)).close();
        return true;
      } catch {
        return false;
      }
    },
    60_000,
    250,
  );
}

import type { EventEnvelope } from '../envelopes.js';

/** Runs one SQL statement with positional parameters (`$1`…) and returns its rows. */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;

/** Runs `fn` inside one database transaction: commit when it resolves, roll back when it throws. */
export type WithTransaction = <T>(fn: (query: SqlQuery) => Promise<T>) => Promise<T>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * Validates and double-quotes a schema name. Schema names come from configuration and end up
 * inside SQL text (identifiers cannot be bound as parameters), so anything else is refused.
 */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema) || schema.length > 63) throw new Error(`Invalid schema name: ${JSON.stringify(schema)}`);
  return `"${schema}"`;
}

/**
 * DDL for a service's outbox and inbox; idempotent, meant to be part of the service's migrations.
 * The schema exists by then (`openDatabase` makes it first); a module's role in a tenant database
 * may not create schemas, not even with `if not exists`.
 */
export function outboxDdl(schema: string): string[] {
  const s = quoteSchema(schema);
  return [
    `create table if not exists ${s}.outbox (
      id uuid primary key,
      name text not null,
      payload jsonb not null,
      request_id text,
      occurred_at timestamptz not null default now(),
      published_at timestamptz
    )`,
    ...outboxActorDdl(schema),
    // The relay only ever reads unpublished rows in occurrence order; published ones stay out of the index.
    `create index if not exists outbox_unpublished_idx on ${s}.outbox (occurred_at, id) where published_at is null`,
    `create table if not exists ${s}.inbox (
      consumer text not null,
      event_id uuid not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    )`,
  ];
}

/** The outbox column for the event's actor (`EventEnvelope.actorId`): a migration of its own in services whose outbox predates it. */
export function outboxActorDdl(schema: string): string[] {
  return [`alter table ${quoteSchema(schema)}.outbox add column if not exists actor_id text`];
}

/**
 * The INSERT that records `event` in the outbox, with its parameters numbered from
 * `$<firstParam>`: for a caller that writes its change and its event in one statement (a
 * data-modifying CTE commits both or neither, without a transaction round trip of its own).
 */
export function outboxInsert(schema: string, event: EventEnvelope, firstParam = 1): { sql: string; params: unknown[] } {
  const n = (offset: number) => `$${firstParam + offset}`;
  return {
    sql: `insert into ${quoteSchema(schema)}.outbox (id, name, payload, request_id, actor_id, occurred_at) values (${n(0)}, ${n(1)}, ${n(2)}, ${n(3)}, ${n(4)}, ${n(5)})`,
    params: [event.id, event.name, JSON.stringify(event.payload ?? null), event.requestId ?? null, event.actorId ?? null, event.occurredAt],
  };
}

/**
 * Records an event in the outbox. Call it with the same transaction as the state change, so the
 * event exists if and only if the change was committed; the relay publishes it afterwards.
 */
export async function insertOutboxEvent(query: SqlQuery, schema: string, event: EventEnvelope): Promise<void> {
  const { sql, params } = outboxInsert(schema, event);
  await query(sql, params);
}

/**
 * Idempotent consumption: records that `consumer` handled `eventId` and returns true the first
 * time only. Run it inside the consumer's transaction, before its side effects: if the
 * transaction rolls back, the mark goes too and the redelivered event is handled again.
 */
export async function consumeOnce(query: SqlQuery, schema: string, consumer: string, eventId: string): Promise<boolean> {
  const rows = await query(
    `insert into ${quoteSchema(schema)}.inbox (consumer, event_id) values ($1, $2) on conflict do nothing returning event_id`,
    [consumer, eventId],
  );
  return rows.length === 1;
}

import type { MigrationObject } from '@mikro-orm/core';
import { outboxActorDdl, outboxDdl } from '@np/messaging';
import { quoteIdentifier, sqlMigration } from '@np/persistence';

/** The service's migrations, oldest first. Names are the history: never rename or reorder them. */
export function backofficeMigrations(schema: string): MigrationObject[] {
  const s = quoteIdentifier(schema);
  return [
    sqlMigration('0001_backoffice', [
      // One row per domain event (its id: a redelivery is kept once), payload masked.
      `create table ${s}.audit_entries (
        id uuid primary key,
        at timestamptz not null,
        actor text,
        type text not null,
        resource text,
        request_id text,
        changes jsonb not null,
        received_at timestamptz not null default now()
      )`,
      `create index audit_entries_at on ${s}.audit_entries (at desc, id desc)`,
      `create index audit_entries_actor on ${s}.audit_entries (actor, at desc)`,
      `create index audit_entries_resource on ${s}.audit_entries (resource, at desc)`,
      `create table ${s}.settings (
        id smallint primary key check (id = 1),
        version integer not null,
        document jsonb not null,
        updated_at timestamptz not null,
        updated_by text
      )`,
      `create table ${s}.settings_history (
        version integer primary key,
        document jsonb not null,
        updated_at timestamptz not null,
        updated_by text
      )`,
      ...outboxDdl(schema),
      ...outboxActorDdl(schema),
    ]),
  ];
}

import type { MigrationObject } from '@mikro-orm/core';
import { outboxActorDdl, outboxDdl } from '@np/messaging';
import { quoteIdentifier, sqlMigration } from '@np/persistence';

/** The service's migrations, oldest first. Names are the history: never rename or reorder them. */
export function filesMigrations(schema: string): MigrationObject[] {
  const s = quoteIdentifier(schema);
  return [
    sqlMigration('0001_files', [
      `create table ${s}.files (
        id uuid primary key,
        object_key text not null unique,
        name text not null,
        folder text not null default '',
        size bigint not null check (size >= 0),
        content_type text not null,
        sha256 text not null,
        public boolean not null default false,
        owner_id uuid not null,
        created_at timestamptz not null default date_trunc('milliseconds', now())
      )`,
      // Listing walks (created_at, id) newest first, for everybody or for one owner.
      `create index files_created_idx on ${s}.files (created_at desc, id desc)`,
      `create index files_owner_created_idx on ${s}.files (owner_id, created_at desc, id desc)`,
      // The key signed links are signed with: made once per tenant, shared by every replica.
      `create table ${s}.link_keys (
        id smallint primary key check (id = 1),
        secret text not null
      )`,
    ]),
    sqlMigration('0002_outbox_inbox', outboxDdl(schema)),
    // Events name the user who caused them (the audit's actor).
    sqlMigration('0003_outbox_actor', outboxActorDdl(schema)),
    // Renames, moves and visibility changes count up: their events carry it, so consumers keep the newest.
    sqlMigration('0004_file_version', [`alter table ${s}.files add column version integer not null default 1 check (version >= 1)`]),
  ];
}

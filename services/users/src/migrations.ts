import type { MigrationObject } from '@mikro-orm/core';
import { outboxActorDdl, outboxDdl } from '@np/messaging';
import { quoteIdentifier, sqlMigration } from '@np/persistence';

/** The service's migrations, oldest first. Names are the history: never rename or reorder them. */
export function usersMigrations(schema: string): MigrationObject[] {
  const s = quoteIdentifier(schema);
  return [
    sqlMigration('0001_users', usersTableDdl(s)),
    sqlMigration('0002_users_search', searchIndexDdl(s)),
    sqlMigration('0003_outbox_inbox', outboxDdl(schema)),
    // Events name the user who caused them (the audit's actor).
    sqlMigration('0004_outbox_actor', outboxActorDdl(schema)),
  ];
}

function usersTableDdl(s: string): string[] {
  return [
    `create table ${s}.users (
      id uuid primary key,
      email text not null,
      display_name text not null,
      roles text[] not null default '{member}',
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      updated_at timestamptz not null default date_trunc('milliseconds', now()),
      constraint users_email_unique unique (email),
      constraint users_email_lowercase check (email = lower(email))
    )`,
    // Keyset pagination walks (created_at, id).
    `create index users_created_at_id_idx on ${s}.users (created_at, id)`,
  ];
}

/**
 * Trigram indexes make `ILIKE '%q%'` searches cheap. pg_trgm needs a privilege a tenant's role
 * may lack, so its absence only costs speed, never the migration.
 */
function searchIndexDdl(s: string): string[] {
  return [
    `do $$
    declare ext_schema text;
    begin
      begin
        create extension if not exists pg_trgm;
      exception when others then
        raise notice 'pg_trgm unavailable, user search runs without an index: %', sqlerrm;
      end;
      select extnamespace::regnamespace::text into ext_schema from pg_extension where extname = 'pg_trgm';
      if ext_schema is not null then
        execute format('create index users_email_trgm_idx on %s.users using gin (email %s.gin_trgm_ops)', ${literal(s)}, ext_schema);
        execute format('create index users_display_name_trgm_idx on %s.users using gin (display_name %s.gin_trgm_ops)', ${literal(s)}, ext_schema);
      end if;
    end $$`,
  ];
}

function literal(quotedIdentifier: string): string {
  return `'${quotedIdentifier.replaceAll("'", "''")}'`;
}

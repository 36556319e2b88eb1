import type { MigrationObject } from '@mikro-orm/core';
import { outboxActorDdl, outboxDdl } from '@np/messaging';
import { quoteIdentifier, sqlMigration } from '@np/persistence';

/**
 * The service's migrations, oldest first. Names are the history: never rename or reorder them.
 * pg-boss keeps its own tables (`job`, `queue`, `schedule`, …) in the same schema: no table here
 * takes one of its names.
 */
export function reportsMigrations(schema: string): MigrationObject[] {
  const s = quoteIdentifier(schema);
  return [
    sqlMigration('0001_reports', [
      // Every accepted event once (its id is the inbox key): the stream projections are rebuilt from.
      `create table ${s}.events (
        id uuid primary key,
        name text not null,
        payload jsonb not null,
        occurred_at timestamptz not null,
        request_id text,
        actor_id text,
        resource text,
        received_at timestamptz not null default now()
      )`,
      `create index events_replay on ${s}.events (occurred_at, id)`,
      `create table ${s}.users_view (
        id uuid primary key,
        email text not null,
        display_name text not null,
        roles text[] not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`,
      `create table ${s}.files_view (
        id uuid primary key,
        name text not null,
        folder text not null,
        size bigint not null,
        content_type text not null,
        public boolean not null,
        owner_id uuid not null,
        created_at timestamptz not null
      )`,
      `create table ${s}.forms_view (
        form_id uuid not null,
        version integer not null,
        name text not null,
        data_schema jsonb not null,
        published_at timestamptz not null,
        primary key (form_id, version)
      )`,
      `create table ${s}.submissions_view (
        id uuid primary key,
        form_id uuid not null,
        version integer not null,
        state text not null,
        data jsonb not null,
        submitted_by uuid,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`,
      // Deleted users and files: an event about them arriving late (out of order) brings nothing back.
      `create table ${s}.tombstones (
        kind text not null,
        id uuid not null,
        primary key (kind, id)
      )`,
      `create index submissions_view_form on ${s}.submissions_view (form_id, created_at)`,
      `create table ${s}.report_definitions (
        id uuid primary key,
        name text not null,
        dataset text not null,
        query jsonb not null,
        owner_id uuid not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`,
      // A text that is not a timestamp reads as null, never an error: form data is what users typed.
      `create function ${s}.try_timestamptz(value text) returns timestamptz language plpgsql immutable as $$
       begin
         return value::timestamptz;
       exception when others then
         return null;
       end $$`,
    ]),
    sqlMigration('0002_exports', [
      `create table ${s}.exports (
        id uuid primary key,
        report_id uuid not null,
        schedule_id uuid,
        owner_id uuid not null,
        format text not null,
        status text not null,
        rows bigint,
        file_id uuid,
        error text,
        warning text,
        attempts integer not null default 0,
        created_at timestamptz not null,
        started_at timestamptz,
        finished_at timestamptz
      )`,
      `create index exports_report on ${s}.exports (report_id, created_at desc)`,
    ]),
    sqlMigration('0003_schedules', [
      `create table ${s}.report_schedules (
        id uuid primary key,
        report_id uuid not null,
        owner_id uuid not null,
        cron text not null,
        timezone text not null,
        format text not null,
        created_at timestamptz not null
      )`,
      `create index report_schedules_report on ${s}.report_schedules (report_id)`,
    ]),
    // Reports publishes its own changes (the audit, usage) through an outbox.
    sqlMigration('0004_outbox_inbox', [...outboxDdl(schema), ...outboxActorDdl(schema)]),
    // files.file.updated carries the file's version: a replay out of order keeps the newest.
    sqlMigration('0005_files_view_version', [`alter table ${s}.files_view add column version integer not null default 1`]),
  ];
}

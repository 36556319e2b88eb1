import type { MigrationObject } from '@mikro-orm/core';
import { outboxActorDdl, outboxDdl } from '@np/messaging';
import { quoteIdentifier, sqlMigration } from '@np/persistence';

/** The service's migrations, oldest first. Names are the history: never rename or reorder them. */
export function formBuilderMigrations(schema: string): MigrationObject[] {
  const s = quoteIdentifier(schema);
  return [
    sqlMigration('0001_forms', [
      `create table ${s}.forms (
        id uuid primary key,
        name text not null,
        description text,
        status text not null check (status in ('draft', 'published', 'archived')),
        latest_version integer,
        data_schema jsonb not null,
        ui_schema jsonb,
        settings jsonb not null,
        created_by uuid not null,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`,
      `create index forms_listing_idx on ${s}.forms (created_at desc, id desc) where status <> 'archived'`,
      // Published versions: written once, never updated.
      `create table ${s}.form_versions (
        form_id uuid not null references ${s}.forms (id),
        version integer not null,
        name text not null,
        data_schema jsonb not null,
        ui_schema jsonb,
        settings jsonb not null,
        published_by uuid not null,
        published_at timestamptz not null,
        primary key (form_id, version)
      )`,
      `create table ${s}.submissions (
        id uuid primary key,
        form_id uuid not null,
        version integer not null,
        state text not null check (state in ('draft', 'submitted')),
        data jsonb not null,
        submitted_by uuid,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        foreign key (form_id, version) references ${s}.form_versions (form_id, version)
      )`,
      `create index submissions_form_idx on ${s}.submissions (form_id, created_at desc, id desc)`,
      `create table ${s}.webhooks (
        id uuid primary key,
        form_id uuid not null references ${s}.forms (id),
        url text not null,
        events text[] not null,
        secret text not null,
        created_at timestamptz not null
      )`,
      `create index webhooks_form_idx on ${s}.webhooks (form_id)`,
      // One row per (event, webhook): the delivery log and the dispatcher's queue.
      `create table ${s}.webhook_deliveries (
        id uuid primary key,
        webhook_id uuid not null references ${s}.webhooks (id),
        event_id uuid not null,
        event text not null,
        payload jsonb not null,
        status text not null check (status in ('pending', 'succeeded', 'failed')),
        attempts integer not null default 0,
        max_attempts integer not null,
        last_response_code integer,
        last_error text,
        next_attempt_at timestamptz,
        lease_until timestamptz,
        created_at timestamptz not null,
        updated_at timestamptz not null,
        unique (event_id, webhook_id)
      )`,
      `create index webhook_deliveries_due_idx on ${s}.webhook_deliveries (next_attempt_at) where status = 'pending'`,
      `create index webhook_deliveries_log_idx on ${s}.webhook_deliveries (webhook_id, created_at desc, id desc)`,
      ...outboxDdl(schema),
      ...outboxActorDdl(schema),
    ]),
  ];
}

import type { MigrationObject } from '@mikro-orm/core';
import { quoteIdentifier, sqlMigration } from '@np/persistence';

/** The service's migrations, oldest first. Names are the history: never rename or reorder them. */
export function backofficeMigrations(schema: string): MigrationObject[] {
  const s = quoteIdentifier(schema);
  return [
    sqlMigration('0001_items', [
      `create table ${s}.items (
        id uuid primary key,
        name text not null,
        created_by uuid not null,
        created_at timestamptz not null default date_trunc('milliseconds', now())
      )`,
    ]),
  ];
}

import { Inject, Injectable } from '@nestjs/common';
import { type Database, quoteIdentifier, type SqlQuery } from '@np/persistence';
import type { Kysely } from 'kysely';
import { DATABASE, SETTINGS } from '@np/runtime';
import type { FormBuilderSettings } from '../settings.js';
import { boundSqlQuery } from './bound-sql.js';

/**
 * The module's schema: plain SQL on the database's pool (no entity manager: the module has no
 * entities to track), and transactions whose writes commit together; values are bound, not
 * inlined (see bound-sql.ts).
 */
@Injectable()
export class FormBuilderDb {
  readonly schema: string;
  private readonly quoted: string;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SETTINGS) settings: Pick<FormBuilderSettings, 'NP_FORM_BUILDER_SCHEMA'>,
  ) {
    this.schema = settings.NP_FORM_BUILDER_SCHEMA;
    this.quoted = quoteIdentifier(this.schema);
  }

  /** `"schema".name`: table names are constants of this module. */
  table(name: string): string {
    return `${this.quoted}.${name}`;
  }

  query(): SqlQuery {
    return boundSqlQuery(this.client());
  }

  transaction<T>(fn: (query: SqlQuery) => Promise<T>): Promise<T> {
    return this.client()
      .transaction()
      .execute((transaction) => fn(boundSqlQuery(transaction)));
  }

  private client(): Kysely<unknown> {
    return this.db.em.getConnection().getClient();
  }
}

/** A timestamp column as a Date, whatever the driver handed back. */
export function dateOf(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

/** A jsonb column as a value (the driver parses jsonb; a string is parsed here in case it did not). */
export function jsonOf<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

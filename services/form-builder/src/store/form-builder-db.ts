import { Inject, Injectable } from '@nestjs/common';
import { type Database, emSqlQuery, ormTransactions, quoteIdentifier, type SqlQuery } from '@np/persistence';
import { DATABASE, SETTINGS } from '@np/runtime';
import type { FormBuilderSettings } from '../settings.js';

/** The module's schema: plain SQL reads on a fresh entity manager, and transactions whose writes commit together. */
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
    return emSqlQuery(this.db.em.fork());
  }

  transaction<T>(fn: (query: SqlQuery) => Promise<T>): Promise<T> {
    return ormTransactions(this.db)(fn);
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

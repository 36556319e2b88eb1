import type { EntityManager } from '@mikro-orm/postgresql';
import type { Database } from './open-database.js';

/** A query runner with `$n` placeholders (the shape `@np/messaging`'s outbox and inbox use). */
export type SqlQuery = (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>;
export type WithTransaction = <T>(fn: (query: SqlQuery) => Promise<T>) => Promise<T>;

/**
 * Outbox and inbox SQL speaks `$n` placeholders; MikroORM's `execute` takes `?` and runs in
 * the entity manager's transaction, so an outbox row commits with the change it reports.
 */
export function emSqlQuery(em: EntityManager): SqlQuery {
  return (sql, params) => {
    const { text, values } = toQuestionMarks(sql, params);
    return em.execute<Record<string, unknown>[]>(text, values);
  };
}

/** Transactions on the service's own pool, for the outbox relay. */
export function ormTransactions(db: Database): WithTransaction {
  return (fn) => db.em.fork().transactional((em) => fn(emSqlQuery(em)));
}

export function toQuestionMarks(sql: string, params: readonly unknown[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_match, position: string) => {
    values.push(toSqlValue(params[Number(position) - 1]));
    return '?';
  });
  return { text, values };
}

/** MikroORM inlines an array as a comma list; PostgreSQL wants an array literal. */
function toSqlValue(value: unknown): unknown {
  return Array.isArray(value) ? arrayLiteral(value) : value;
}

function arrayLiteral(items: readonly unknown[]): string {
  const elements = items.map((item) => (item === null || item === undefined ? 'NULL' : `"${elementText(item).replace(/[\\"]/g, '\\$&')}"`));
  return `{${elements.join(',')}}`;
}

function elementText(item: unknown): string {
  return typeof item === 'string' ? item : JSON.stringify(item);
}

import type { EntityManager } from '@mikro-orm/postgresql';
import type { SqlQuery } from '@np/messaging';

/**
 * `@np/messaging`'s inbox speaks `$n` placeholders; MikroORM's `execute` takes `?` and runs in
 * the entity manager's transaction, so the inbox mark commits with the work it guards.
 */
export function emSqlQuery(em: EntityManager): SqlQuery {
  return (sql, params) => {
    const values: unknown[] = [];
    const text = sql.replace(/\$(\d+)/g, (_match, position: string) => {
      values.push(params[Number(position) - 1]);
      return '?';
    });
    return em.execute<Record<string, unknown>[]>(text, values);
  };
}

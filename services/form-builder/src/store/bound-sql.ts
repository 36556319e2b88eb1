import type { SqlQuery } from '@np/persistence';
import { CompiledQuery, type Kysely } from 'kysely';

/**
 * `$n` SQL run through Kysely (the driver under MikroORM) with its values bound by `pg`.
 * MikroORM's `execute` inlines every value into the statement's text, escaping it: for a
 * submission that is its data twice (the row and its event) on every request, which a profile of
 * the benchmark showed as the module's largest own cost. Values are sent as they are: JSON as
 * text with a `::jsonb` cast, arrays as arrays, and any parameter whose type PostgreSQL cannot
 * infer from its place carries a cast.
 */
export function boundSqlQuery(executor: Pick<Kysely<unknown>, 'executeQuery'>): SqlQuery {
  return async (sql, params) => (await executor.executeQuery<Record<string, unknown>>(CompiledQuery.raw(sql, params))).rows;
}

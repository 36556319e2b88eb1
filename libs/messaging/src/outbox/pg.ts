import type { SqlQuery, WithTransaction } from './sql.js';

/** What the outbox needs of a `pg` client; structural, so this library does not depend on `pg`. */
export interface PgClientLike {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface PgPoolLike {
  connect(): Promise<PgClientLike & { release(error?: Error | boolean): void }>;
}

export function pgQuery(client: PgClientLike): SqlQuery {
  return async (sql, params) => (await client.query(sql, params)).rows;
}

/** `WithTransaction` over a `pg.Pool`: one pooled connection per transaction. */
export function pgTransactions(pool: PgPoolLike): WithTransaction {
  return async (fn) => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      const result = await fn(pgQuery(client));
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch((rollbackError: unknown) => {
        // The connection is unusable: tell the pool to discard it rather than reuse it.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };
}

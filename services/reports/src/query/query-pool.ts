import pg from 'pg';

export const QUERY_POOL = Symbol('QUERY_POOL');

/**
 * The module's own connections for what the ORM does not do: projections written event by event,
 * report queries, and exports that stream rows through a cursor.
 */
export function createQueryPool(url: string, max: number): pg.Pool {
  return new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
}

/** Runs `work` in one transaction on one connection. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
